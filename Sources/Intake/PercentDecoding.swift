/// `application/x-www-form-urlencoded` decoding on bytes (`+` is a space, `%XX` a byte), which is what both the
/// query string and the `/g/collect` body use. Working on UTF-8 bytes avoids Foundation's per-component cost on the
/// hot path.
enum PercentDecoding {
    /// Decodes `bytes`. An invalid escape (`%` not followed by two hex digits) is kept literally and reported through
    /// `sawInvalidEscape`, so lenient callers (request info) and strict ones (GA4) share one pass. Invalid UTF-8 in
    /// the result is repaired with U+FFFD: a badly encoded page title should not cost the whole hit.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, sawInvalidEscape: inout Bool) -> String {
        // Most names and values have nothing to decode: one scan, then the bytes as they are.
        guard ByteScan.containsPercentOrPlus(bytes) else { return String(decoding: bytes, as: UTF8.self) }
        return decode(bytes[...], sawInvalidEscape: &sawInvalidEscape)
    }

    static func decode(_ bytes: some Collection<UInt8>, sawInvalidEscape: inout Bool) -> String {
        // Fast path: nothing to decode.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        // Decoded straight into the string's storage (never longer than the input); invalid UTF-8 is repaired
        // by the initializer, as `String(decoding:as:)` repairs it.
        var invalid = false
        let text = String(unsafeUninitializedCapacity: bytes.count) { out in
            var count = 0
            var index = bytes.startIndex
            while index != bytes.endIndex {
                let byte = bytes[index]
                if byte == UInt8(ascii: "+") {
                    out[count] = UInt8(ascii: " ")
                } else if byte == UInt8(ascii: "%") {
                    let first = bytes.index(after: index)
                    if first != bytes.endIndex, let high = hexValue(bytes[first]) {
                        let second = bytes.index(after: first)
                        if second != bytes.endIndex, let low = hexValue(bytes[second]) {
                            out[count] = high << 4 | low
                            count += 1
                            index = bytes.index(after: second)
                            continue
                        }
                    }
                    invalid = true
                    out[count] = byte
                } else {
                    out[count] = byte
                }
                count += 1
                index = bytes.index(after: index)
            }
            return count
        }
        if invalid { sawInvalidEscape = true }
        return text
    }

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
