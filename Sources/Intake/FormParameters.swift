/// Name-value pairs of one form-encoded string (a query string or one `/g/collect` body line), decoded once.
///
/// Order is kept (so mapping and its error messages are deterministic) and the first value of a repeated name wins,
/// as in server-side GTM's `getRequestQueryParameter`. `values` doubles as `RequestInfo.queryParameters`, so the
/// query is hashed once per hit.
struct FormParameters: Sendable {
    private(set) var entries: [(name: String, value: String)] = []
    /// The value of each name (the first one sent).
    private(set) var values: [String: String] = [:]
    /// The first parameter whose name or value held an invalid `%` escape, for strict callers to report.
    private(set) var firstInvalidEscape: String?

    init() {}

    /// Splits on `&`, then at the first `=`; a part without `=` is a name with an empty value; empty parts are skipped.
    /// Works on a contiguous buffer: generic collection walking cost several times more on the hot path.
    init(parsing bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.isEmpty { return }  // a POST without a query: nothing to reserve
        let ampersand = UInt8(ascii: "&")
        var estimatedCount = 1
        for byte in bytes where byte == ampersand { estimatedCount += 1 }
        entries.reserveCapacity(estimatedCount)
        values.reserveCapacity(estimatedCount)

        var start = bytes.startIndex
        while start < bytes.endIndex {
            var end = start
            while end < bytes.endIndex, bytes[end] != ampersand { end += 1 }
            if end > start {
                let part = bytes[start..<end]
                let equals = part.firstIndex(of: UInt8(ascii: "="))
                var invalid = false
                let name = PercentDecoding.decode(part[..<(equals ?? part.endIndex)], sawInvalidEscape: &invalid)
                let value = equals.map { PercentDecoding.decode(part[($0 + 1)...], sawInvalidEscape: &invalid) } ?? ""
                if invalid, firstInvalidEscape == nil { firstInvalidEscape = name }
                // One hash in the common case; a repeated name puts the first value back.
                if let earlier = values.updateValue(value, forKey: name) {
                    values[name] = earlier
                } else {
                    entries.append((name, value))
                }
            }
            start = end + 1
        }
    }

    init(parsing bytes: ArraySlice<UInt8>) {
        self = bytes.withUnsafeBufferPointer { FormParameters(parsing: $0) }
    }

    init(parsing text: String) {
        var text = text
        self = text.withUTF8 { FormParameters(parsing: $0) }
    }

    subscript(name: String) -> String? { values[name] }

    var count: Int { entries.count }

    /// This set with every parameter of `overlay` replacing or added to it: a `/g/collect` body line over the
    /// query string's shared parameters.
    func overlaid(with overlay: FormParameters) -> FormParameters {
        var result = self
        for (name, value) in overlay.entries {
            if result.values.updateValue(value, forKey: name) == nil {
                result.entries.append((name, value))
            } else if let position = result.entries.firstIndex(where: { $0.name == name }) {
                // Rare (gtag.js keeps line and query parameters apart), so a scan beats keeping an index.
                result.entries[position].value = value
            }
        }
        return result
    }
}
