/// The media type of a `Content-Type` value, without parameters and compared without case: `Text/Plain;
/// charset=UTF-8` is `text/plain`.
enum MediaType {
    /// Whether the media type of `contentType` is one of `types` (lower-case); nil when the header is absent or
    /// blank. Compared on the UTF-8 bytes in place: this runs per hit (indexing a `Substring` cost more than the
    /// rest of the check).
    static func essence(of contentType: String?, isOneOf types: Set<String>) -> Bool? {
        guard let contentType else { return nil }
        return Self.withUTF8(of: contentType) { bytes -> Bool? in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var start = 0
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            guard start < end else { return nil }
            let essence = UnsafeBufferPointer(rebasing: bytes[start..<end])
            for type in types {
                // In place for a native string (a `var` copy for `withUTF8` was a retain and a release per type).
                let matches = type.utf8.withContiguousStorageIfAvailable { type in
                    type.count == essence.count && zip(type, essence).allSatisfy { $0 == asciiLowercased($1) }
                } ?? (type.utf8.count == essence.count && zip(type.utf8, essence).allSatisfy { $0 == asciiLowercased($1) })
                if matches { return true }
            }
            return false
        }
    }

    /// `body` over `text`'s bytes: in place for a native string, through a copy otherwise.
    private static func withUTF8<R>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var text = text
        return text.withUTF8(body)
    }
}
