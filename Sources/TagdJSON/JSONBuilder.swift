/// What `JSONParser` builds a document as, one value at a time: a tree (`JSONTreeBuilder`) or a flat document
/// (`FlatJSONBuilder`). One grammar, so both forms accept and refuse exactly the same documents.
protocol JSONBuilder {
    associatedtype Value
    associatedtype Object
    associatedtype Array

    mutating func null() -> Value
    mutating func bool(_ value: Bool) -> Value
    mutating func int(_ value: Int64) -> Value
    mutating func double(_ value: Double) -> Value
    /// String content as it stands in the document; `escaped` when it holds escapes (see `JSONParser.unescaped`),
    /// `isASCII` when its bytes (escapes as written) are all below 0x80.
    mutating func string(_ content: UnsafeBufferPointer<UInt8>, escaped: Bool, isASCII: Bool) -> Value

    mutating func beginObject() -> Object
    /// A member's key; its value follows (`member`). `offset` is where the key starts, for an error.
    mutating func key(
        _ content: UnsafeBufferPointer<UInt8>, escaped: Bool, isASCII: Bool, at offset: Int, in object: inout Object
    ) throws(JSONParseError)
    mutating func member(_ value: Value, in object: inout Object)
    mutating func endObject(_ object: Object) -> Value

    mutating func beginArray() -> Array
    mutating func element(_ value: Value, in array: inout Array)
    mutating func endArray(_ array: Array) -> Value
}

extension JSONParser {
    /// String content as text: escapes decoded, invalid UTF-8 repaired (U+FFFD), never fatal.
    static func text(_ content: UnsafeBufferPointer<UInt8>, escaped: Bool) -> String {
        escaped ? unescaped(content) : String(decoding: content, as: UTF8.self)
    }
}

/// Builds a `JSONValue`. A repeated key: the last one wins.
struct JSONTreeBuilder: JSONBuilder {
    /// Members of the objects being parsed, innermost last: each object's dictionary is then made once at
    /// its final size instead of growing (and rehashing) as members arrive.
    private var members: [(String, JSONValue)] = []

    struct Object {
        let base: Int
        var key = ""
    }

    mutating func null() -> JSONValue { .null }
    mutating func bool(_ value: Bool) -> JSONValue { .bool(value) }
    mutating func int(_ value: Int64) -> JSONValue { .int(value) }
    mutating func double(_ value: Double) -> JSONValue { .double(value) }

    mutating func string(_ content: UnsafeBufferPointer<UInt8>, escaped: Bool, isASCII: Bool) -> JSONValue {
        .string(JSONParser.text(content, escaped: escaped))
    }

    mutating func beginObject() -> Object {
        if members.capacity == 0 { members.reserveCapacity(16) }  // a hit's members, without growing one by one
        return Object(base: members.count)
    }

    mutating func key(
        _ content: UnsafeBufferPointer<UInt8>, escaped: Bool, isASCII: Bool, at offset: Int, in object: inout Object
    ) throws(JSONParseError) {
        object.key = JSONParser.text(content, escaped: escaped)
    }

    mutating func member(_ value: JSONValue, in object: inout Object) {
        members.append((object.key, value))
    }

    mutating func endObject(_ object: Object) -> JSONValue {
        var fields = [String: JSONValue](minimumCapacity: members.count - object.base)
        for (key, value) in members[object.base...] { fields[key] = value }  // a repeated key: the last wins
        members.removeSubrange(object.base...)
        return .object(fields)
    }

    mutating func beginArray() -> [JSONValue] { [] }
    mutating func element(_ value: JSONValue, in array: inout [JSONValue]) { array.append(value) }
    mutating func endArray(_ array: [JSONValue]) -> JSONValue { .array(array) }
}

/// Builds a `FlatJSON` in document order. A repeated key (as `String`s compare, which a dictionary would fold
/// into one member) stops the parse: the flat form keeps every member, so `FlatJSON.parse` builds that rare
/// document as a tree instead, whose last member wins.
struct FlatJSONBuilder: JSONBuilder {
    var document: FlatJSON
    /// The document being parsed, copied once into `document.bytes` at `sourceOffset`: plain strings point there.
    private let source: UnsafeBufferPointer<UInt8>
    private let sourceOffset: Int

    /// A builder for parsing `source`, whose plain strings become nodes over a copy of it.
    init(document: FlatJSON, source: UnsafeBufferPointer<UInt8>) {
        self.document = document
        self.source = source
        sourceOffset = self.document.appendSource(source)
    }

    struct Object {
        let mark: Int
        var count = 0
        /// The keys so far, once the object is too large to compare them pairwise.
        var keys: Set<String>?
        /// A bit per ASCII key so far (`FlatJSON.asciiKeyBit`): a key whose bit is not set yet repeats none.
        var asciiKeyBits: UInt64 = 0
        /// Some key so far is not ASCII: it may equal an ASCII key canonically (U+212A KELVIN SIGN is "K").
        var sawNonASCIIKey = false
    }

    struct Array {
        let mark: Int
        var count = 0
    }

    /// Thrown (and caught by `FlatJSON.parse`) at a repeated key.
    static let repeatedKey = JSONParseError(reason: "a repeated key", offset: -1)

    mutating func null() { document.appendNull() }
    mutating func bool(_ value: Bool) { document.append(value) }
    mutating func int(_ value: Int64) { document.append(value) }
    mutating func double(_ value: Double) { document.append(value) }

    mutating func string(_ content: UnsafeBufferPointer<UInt8>, escaped: Bool, isASCII: Bool) {
        if !escaped, isASCII {
            if let base = source.baseAddress, let start = content.baseAddress {
                document.appendString(at: sourceOffset + (start - base), count: content.count, isASCII: true)
            } else {
                document.appendString(content)
            }
        } else {
            document.appendString(JSONParser.text(content, escaped: escaped))  // valid UTF-8, as the form wants
        }
    }

    mutating func beginObject() -> Object {
        Object(mark: document.beginContainer(.object, count: 0))
    }

    @inline(__always)
    mutating func key(
        _ content: UnsafeBufferPointer<UInt8>, escaped: Bool, isASCII: Bool, at offset: Int, in object: inout Object
    ) throws(JSONParseError) {
        // Most keys: plain ASCII, in a small object (so no key set yet), of a bit no key has set: `checkedKey`
        // would append the node and return, after more tests and a call.
        if !escaped, isASCII, object.count < 32, !object.sawNonASCIIKey,
            let base = source.baseAddress, let start = content.baseAddress
        {
            let bit = FlatJSON.asciiKeyBit(of: content)
            if object.asciiKeyBits & bit == 0 {
                object.asciiKeyBits |= bit
                document.appendString(at: sourceOffset + (start - base), count: content.count, isASCII: true)
                return
            }
        }
        try checkedKey(content, escaped: escaped, isASCII: isASCII, in: &object)
    }

    @inline(never)
    private mutating func checkedKey(
        _ content: UnsafeBufferPointer<UInt8>, escaped: Bool, isASCII: Bool, in object: inout Object
    ) throws(JSONParseError) {
        let key = document.nodes.count
        string(content, escaped: escaped, isASCII: isASCII)
        if object.keys == nil, object.count >= 32 {
            object.keys = document.keys(ofObject: object.mark, before: key)
        }
        if object.keys != nil {
            let text = JSONParser.text(content, escaped: escaped)
            if object.keys?.insert(text).inserted == false { throw Self.repeatedKey }
            return
        }
        // A plain ASCII key's node holds `content` as is: its bit from there, not read back from the document.
        if let bit = !escaped && isASCII ? FlatJSON.asciiKeyBit(of: content) : document.asciiKeyBit(key) {
            let seen = object.asciiKeyBits & bit != 0
            object.asciiKeyBits |= bit
            if !seen && !object.sawNonASCIIKey { return }  // most keys: no compare at all
        } else {
            object.sawNonASCIIKey = true
        }
        if document.keyRepeats(key, inObject: object.mark) { throw Self.repeatedKey }
    }

    mutating func member(_ value: Void, in object: inout Object) { object.count += 1 }
    mutating func endObject(_ object: Object) { document.endContainer(object.mark, count: object.count) }

    mutating func beginArray() -> Array { Array(mark: document.beginContainer(.array, count: 0)) }
    mutating func element(_ value: Void, in array: inout Array) { array.count += 1 }
    mutating func endArray(_ array: Array) { document.endContainer(array.mark, count: array.count) }
}
