/// The media type of a `Content-Type` value, lower-cased and without parameters: `Text/Plain; charset=UTF-8` is
/// `text/plain`. Nil when the header is absent or blank.
enum MediaType {
    static func essence(of contentType: String?) -> String? {
        guard let contentType else { return nil }
        let end = contentType.utf8.firstIndex(of: UInt8(ascii: ";")) ?? contentType.endIndex
        let type = contentType[..<end].trimmingASCIIWhitespace()
        return type.isEmpty ? nil : type.lowercased()
    }
}
