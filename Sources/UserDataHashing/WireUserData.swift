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
    public private(set) var values: [String] = []

    /// No fields.
    public init() {}

    init(capacity: Int) {
        fields.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    /// Appends `hash` to the field being built unless it already holds it (arrays are de-duplicated after
    /// normalization, first occurrence kept). `start` is where that field's values begin.
    mutating func appendHash(_ hash: String, fieldStart start: Int) {
        // Linear: these arrays hold a handful of values at most.
        for index in start..<values.count where values[index] == hash { return }
        values.append(hash)
    }

    /// Closes a hashed field whose values begin at `start`; a field left with none is omitted.
    mutating func closeHashedField(_ key: String, start: Int) {
        if values.count > start { fields.append(Field(key: key, values: start..<values.count, isHashed: true)) }
    }

    mutating func appendPlain(_ key: String, _ value: String) {
        values.append(value)
        fields.append(Field(key: key, values: values.count - 1..<values.count, isHashed: false))
    }

    /// As a JSON object.
    public var dictionary: [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(fields.count)
        for field in fields {
            out[field.key] = field.isHashed
                ? .array(values[field.values].map(JSONValue.string)) : .string(values[field.values.lowerBound])
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
                for value in values[field.values] { json.appendString(value) }
                json.endContainer(array)
            } else {
                json.appendString(values[field.values.lowerBound])
            }
        }
        json.endContainer(object)
    }
}
