/// One HTTP request as the intake clients see it, independent of the server framework, so the clients stay pure
/// functions that tests can call without a server.
///
/// Its initializers are in an extension and delegate to the memberwise one (declared first, `peerAddress`, so that
/// its labels differ from theirs): an initializer that assigned the properties one by one copied the whole hit out
/// of its `self` and destroyed the original, a retain and a release of each string and array, on every hit.
public struct IncomingHit: Sendable {
    /// IP address of the TCP peer (the last proxy, or the client itself when there is none).
    public var peerAddress: String?
    /// Upper-case HTTP method, e.g. `GET`.
    public var method: String
    /// The request path without the query, e.g. `/g/collect`.
    public var path: String
    /// The raw query string without the leading `?` (still percent-encoded).
    public var query: String
    /// Header fields in arrival order; names keep the case they were sent in.
    public var fields: [Field]
    public var body: [UInt8]

    /// One header field. A struct, not a `(name, value)` tuple: an array of tuples is copied and destroyed
    /// through the runtime's generic tuple witnesses, element by element, on every hit.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The header fields as pairs (built on each read: the intake path reads `fields`).
    public var headers: [(name: String, value: String)] {
        get { fields.map { (name: $0.name, value: $0.value) } }
        set { fields = newValue.map { Field(name: $0.name, value: $0.value) } }
    }

    /// The first value of the header `name`, compared without regard to case (HTTP field names are case-insensitive).
    public func header(_ name: String) -> String? {
        // Through the buffer, not `first(where:)` or the array's subscript: those copy every (name, value) pair
        // they look at, a retain and a release of each string.
        fields.withUnsafeBufferPointer { headers in
            for index in headers.indices where asciiCaseInsensitiveEquals(headers[index].name, name) {
                return headers[index].value
            }
            return nil
        }
    }

    /// Every value of the header `name` in arrival order, for fields that may be repeated (`X-Forwarded-For`, `Cookie`).
    public func headerValues(_ name: String) -> [String] {
        fields.withUnsafeBufferPointer { headers in
            var values: [String] = []
            for index in headers.indices where asciiCaseInsensitiveEquals(headers[index].name, name) {
                values.append(headers[index].value)
            }
            return values
        }
    }

    /// Every value of the header `name` joined by `separator`, as `headerValues(name).joined(separator:)`, but nil
    /// when the header is absent, and without an array (or a new string) for a header sent once, the usual case.
    public func joinedHeader(_ name: String, separator: String) -> String? {
        fields.withUnsafeBufferPointer { headers in
            var joined: String?
            for index in headers.indices where asciiCaseInsensitiveEquals(headers[index].name, name) {
                // Appended in place: rebuilding `previous + separator + value` copied everything joined so far,
                // quadratic in a header a client repeats a thousand times.
                if joined == nil {
                    joined = headers[index].value
                } else {
                    joined?.append(separator)
                    joined?.append(headers[index].value)
                }
            }
            return joined
        }
    }
}

extension IncomingHit {
    public init(
        method: String,
        path: String,
        query: String = "",
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        peerAddress: String? = nil
    ) {
        self.init(
            method: method, path: path, query: query, fields: headers.map { Field(name: $0.name, value: $0.value) },
            body: body, peerAddress: peerAddress)
    }

    public init(method: String, path: String, query: String = "", fields: [Field], body: [UInt8] = [], peerAddress: String? = nil) {
        self.init(peerAddress: peerAddress, method: method, path: path, query: query, fields: fields, body: body)
    }
}

/// Compares two header names byte by byte, folding ASCII letters only, without allocating lower-cased copies.
/// Lengths first: most names that differ differ there, and a native string knows its length.
///
/// Inlined, and reading native and small strings in place, so that a caller comparing a name stored in an
/// array passes it without a retain and a release around the call.
@inline(__always)
func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    let inPlace = a.utf8.withContiguousStorageIfAvailable { x in
        b.utf8.withContiguousStorageIfAvailable { y in asciiCaseInsensitiveEquals(x, y) }
    }
    if let inPlace, let equal = inPlace { return equal }
    return asciiCaseInsensitiveEqualsCopying(a, b)
}

/// The comparison for a string that shows no bytes in place (one bridged from Foundation): `withUTF8` on copies.
@inline(never)
private func asciiCaseInsensitiveEqualsCopying(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in b.withUTF8 { y in asciiCaseInsensitiveEquals(x, y) } }
}

/// The byte comparison behind `asciiCaseInsensitiveEquals(_:_:)`, for two buffers of the same length.
@inline(__always)
private func asciiCaseInsensitiveEquals(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
    for i in 0..<x.count where x[i] != y[i] && asciiLowercased(x[i]) != asciiLowercased(y[i]) { return false }
    return true
}

@inline(__always)
func asciiLowercased(_ byte: UInt8) -> UInt8 {
    (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
}
