extension FlatJSON {
    /// Parses a document straight into flat form, by the grammar `JSONValue.parse` uses (the same documents are
    /// accepted, the same errors thrown). A document that spells one key twice in an object is read as
    /// `JSONValue.parse` reads it (the last member wins): parsed as a tree, then flattened.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> FlatJSON {
        if let document = FlatJSONScanner.scan(bytes) { return document }
        return try parseByGrammar(bytes)
    }

    /// `parse` through the grammar (`JSONParser` with a `FlatJSONBuilder`): every document the scanner declines,
    /// and the oracle its tests compare it with.
    static func parseByGrammar(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> FlatJSON {
        var builder = FlatJSONBuilder(
            document: FlatJSON(nodeCapacity: 16 + bytes.count / 12, byteCapacity: bytes.count + 64), source: bytes)
        do throws(JSONParseError) {
            try JSONParser.parse(bytes, into: &builder)
            return builder.document
        } catch where error == FlatJSONBuilder.repeatedKey {
            return FlatJSON(try JSONParser.parse(bytes))
        }
    }

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> FlatJSON {
        let parsed = bytes.withContiguousStorageIfAvailable(parseResult)
        return try (parsed ?? Array(bytes).withUnsafeBufferPointer(parseResult)).get()
    }

    private static func parseResult(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<FlatJSON, JSONParseError> {
        do throws(JSONParseError) {
            return .success(try parse(buffer))
        } catch {
            return .failure(error)
        }
    }
}
