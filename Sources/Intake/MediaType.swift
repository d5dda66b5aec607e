/// The media type of a `Content-Type` value, lower-cased and without parameters: `Text/Plain; charset=UTF-8` is
/// `text/plain`. Nil when the header is absent or blank.
enum MediaType {
    static func essence(of contentType: String?) -> String? {
        rawEssence(of: contentType).map { $0.lowercased() }
    }

    /// Whether the essence of `contentType` is one of `types` (lower-case), compared without building it: this
    /// runs per hit, and `application/json` is one byte too long for a string without a heap allocation.
    static func essence(of contentType: String?, isOneOf types: Set<String>) -> Bool {
        guard let essence = rawEssence(of: contentType) else { return false }
        return types.contains { type in
            type.utf8.count == essence.utf8.count
                && zip(type.utf8, essence.utf8).allSatisfy { $0 == asciiLowercased($1) }
        }
    }

    private static func rawEssence(of contentType: String?) -> Substring? {
        guard let contentType else { return nil }
        let end = contentType.utf8.firstIndex(of: UInt8(ascii: ";")) ?? contentType.endIndex
        let type = contentType[..<end].trimmingASCIIWhitespace()
        return type.isEmpty ? nil : type
    }
}
