/// The media type of a `Content-Type` value, without parameters and compared without case: `Text/Plain;
/// charset=UTF-8` is `text/plain`.
enum MediaType {
    /// Whether the media type of `contentType` is one of `types` (lower-case); nil when the header is absent or
    /// blank. Compared in place: this runs per hit, and `application/json` is one byte too long for a string
    /// without a heap allocation.
    static func essence(of contentType: String?, isOneOf types: Set<String>) -> Bool? {
        guard let contentType else { return nil }
        let end = contentType.utf8.firstIndex(of: UInt8(ascii: ";")) ?? contentType.endIndex
        let essence = contentType[..<end].trimmingASCIIWhitespace()
        guard !essence.isEmpty else { return nil }
        return types.contains { type in
            type.utf8.count == essence.utf8.count
                && zip(type.utf8, essence.utf8).allSatisfy { $0 == asciiLowercased($1) }
        }
    }
}
