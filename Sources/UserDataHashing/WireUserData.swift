import TagdJSON

/// A `user_data` object in wire form, as `UserDataHasher` produces it: hashed fields as non-empty lists of
/// distinct 64-hex strings, plain fields as one trimmed string, in the order the hasher visits fields. Two
/// arrays, not a dictionary of arrays, so a caller writes it out (into Lua, into a flat event) cheaply.
public struct WireUserData: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public let key: String
        /// Where the field's values are in `values`.
        public let values: Range<Int>
        /// A hashed field is written as an array, even of one value; a plain one as its one string.
        public let isHashed: Bool
    }

    public private(set) var fields: [Field] = []
    /// Every value's UTF-8, one after another (a hash is written here as it is made: no `String` per hash).
    private var text: [UInt8] = []
    /// Where value `i` lies in `text`.
    private var ranges: [Range<Int>] = []

    /// No fields.
    public init() {}

    init(capacity: Int) {
        fields.reserveCapacity(capacity)
        ranges.reserveCapacity(capacity)
        text.reserveCapacity(capacity * 64)
    }

    /// How many values the fields hold together.
    public var valueCount: Int { ranges.count }

    /// Value `index` (`fields[i].values` indexes them).
    public func value(_ index: Int) -> String { String(decoding: text[ranges[index]], as: UTF8.self) }

    /// Calls `body` with value `index`'s UTF-8 bytes.
    public func withValue<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try text.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[ranges[index]])) }
    }

    /// Appends the hash of a prepared value to the field being built unless the field already holds it
    /// (arrays are de-duplicated after normalization, first occurrence kept). `start` is where that field's
    /// values begin.
    mutating func appendHash(_ prepared: UserDataNormalizer.Prepared, fieldStart start: Int) {
        let begin = text.count
        switch prepared {
        case .alreadyHashed(let hex): text.append(contentsOf: hex.utf8)
        case .plain(let value): SHA256Hex.appendHash(of: value, to: &text)
        }
        keepUnlessRepeated(from: begin, fieldStart: start)
    }

    /// As `appendHash(_:fieldStart:)` for normalized bytes (`ASCIINormalizer`): hashed, or kept as they are
    /// when `isHash`.
    mutating func appendHash(of normalized: UnsafeBufferPointer<UInt8>, isHash: Bool, fieldStart start: Int) {
        let begin = text.count
        if isHash {
            text.append(contentsOf: normalized)
        } else {
            SHA256Hex.appendHash(of: normalized, to: &text)
        }
        keepUnlessRepeated(from: begin, fieldStart: start)
    }

    /// Keeps the value appended at `begin` unless the field already has it.
    private mutating func keepUnlessRepeated(from begin: Int, fieldStart start: Int) {
        // Linear: these arrays hold a handful of values at most.
        for index in start..<ranges.count where text[ranges[index]].elementsEqual(text[begin...]) {
            text.removeSubrange(begin...)
            return
        }
        ranges.append(begin..<text.count)
    }

    /// Closes a hashed field whose values begin at `start`; a field left with none is omitted.
    mutating func closeHashedField(_ key: String, start: Int) {
        if ranges.count > start { fields.append(Field(key: key, values: start..<ranges.count, isHashed: true)) }
    }

    mutating func appendPlain(_ key: String, _ value: String) {
        let begin = text.count
        text.append(contentsOf: value.utf8)
        ranges.append(begin..<text.count)
        fields.append(Field(key: key, values: ranges.count - 1..<ranges.count, isHashed: false))
    }

    /// As a JSON object.
    public var dictionary: [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(fields.count)
        for field in fields {
            out[field.key] = field.isHashed
                ? .array(field.values.map { .string(value($0)) }) : .string(value(field.values.lowerBound))
        }
        return out
    }

    /// Appends it to `json` as an object.
    public func append(to json: inout FlatJSON) {
        let object = json.beginContainer(.object, count: fields.count)
        for field in fields {
            json.appendString(field.key)
            if field.isHashed {
                let array = json.beginContainer(.array, count: field.values.count)
                for index in field.values { withValue(index) { json.appendString($0) } }
                json.endContainer(array)
            } else {
                withValue(field.values.lowerBound) { json.appendString($0) }
            }
        }
        json.endContainer(object)
    }
}
