/// A document that is not valid JSON: what is wrong, and the byte offset (from 0) where it was found.
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
    public let reason: String
    public let offset: Int

    public init(reason: String, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "malformed JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Parses a JSON document (any top-level value).
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let parsed = bytes.withContiguousStorageIfAvailable(parseResult)
        return try (parsed ?? Array(bytes).withUnsafeBufferPointer(parseResult)).get()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8(parseResult).get()
    }

    /// Checks `bytes` by exactly the rules of `parse` without building anything, and returns how many
    /// elements the top-level object's array member `key` holds (its last member of that name, as `parse`
    /// keeps it). Nil when the document is not valid JSON, not an object, or that member is missing or is
    /// not an array. For readers that need only a count, such as a fake server checking request bodies.
    public static func countOfArray(named key: String, inObject bytes: UnsafeRawBufferPointer) -> Int? {
        JSONParser.countOfArray(named: key, in: bytes.assumingMemoryBound(to: UInt8.self))
    }

    private static func parseResult(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        do throws(JSONParseError) {
            return .success(try JSONParser.parse(buffer))
        } catch {
            return .failure(error)
        }
    }
}
