import TagdJSON

/// A `user_data` object in wire form, as `UserDataHasher` produces it: hashed fields as non-empty lists of
/// distinct 64-hex strings, plain fields as one trimmed string, in the order the hasher visits fields. Two
/// arrays, not a dictionary of arrays, so a caller writes it out (into Lua, into a flat event) cheaply.
public struct WireUserData: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        /// The key, kept as its kind (no `String` to retain when fields are copied).
        let wireKey: UserDataKey
        public var key: String { wireKey.name }
        /// Calls `body` with the key's UTF-8 (static: no `String` made).
        public func withKeyUTF8<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
            try wireKey.withUTF8(body)
        }
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

    /// Where the open field's values begin in `ranges`.
    private var fieldStart = 0

    /// The same fields and values; the builder's cursor (`fieldStart`) is not part of the value.
    public static func == (a: WireUserData, b: WireUserData) -> Bool {
        a.fields == b.fields && a.ranges == b.ranges && a.text == b.text
    }

    /// Value `index` as it is stored: a hash written straight in, compared without a `String`.
    private func bytes(_ index: Int) -> ArraySlice<UInt8> { text[ranges[index]] }

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

extension WireUserData: WireUserDataSink {
    mutating func appendHash(_ hex: UnsafeBufferPointer<UInt8>, field: UserDataField) {
        // Linear: these arrays hold a handful of values at most.
        for index in fieldStart..<ranges.count where bytes(index).elementsEqual(hex) { return }
        let begin = text.count
        text.append(contentsOf: hex)
        ranges.append(begin..<text.count)
    }

    mutating func closeHashedField(_ field: UserDataField) {
        if ranges.count > fieldStart {
            fields.append(Field(wireKey: .hashed(field), values: fieldStart..<ranges.count, isHashed: true))
        }
        fieldStart = ranges.count
    }

    mutating func appendPlain(_ key: UserDataKey, _ utf8: UnsafeBufferPointer<UInt8>) {
        let begin = text.count
        text.append(contentsOf: utf8)
        ranges.append(begin..<text.count)
        fields.append(Field(wireKey: key, values: ranges.count - 1..<ranges.count, isHashed: false))
        fieldStart = ranges.count
    }
}
