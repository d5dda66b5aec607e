/// The media type of a `Content-Type` value, without parameters and compared without case: `Text/Plain;
/// charset=UTF-8` is `text/plain`.
enum MediaType {
    /// Whether the media type of `contentType` is one of `types` (lower-case); nil when the header is absent or
    /// blank. Compared on the UTF-8 bytes in place: this runs per hit (indexing a `Substring` cost more than the
    /// rest of the check).
    static func essence(of contentType: String?, isOneOf types: Set<String>) -> Bool? {
        guard var contentType else { return nil }
        return contentType.withUTF8 { bytes -> Bool? in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var start = 0
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            guard start < end else { return nil }
            let essence = UnsafeBufferPointer(rebasing: bytes[start..<end])
            for type in types {
                var type = type
                let matches = type.withUTF8 { type in
                    type.count == essence.count && zip(type, essence).allSatisfy { $0 == asciiLowercased($1) }
                }
                if matches { return true }
            }
            return false
        }
    }
}
