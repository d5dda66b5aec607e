import HTTPTypes
import NIOCore
import NIOHTTP1

extension HitResponse {
    /// The answer as HTTP/1.1 bytes, as NIO's `HTTPResponseEncoder` writes it (a test holds the two to the same
    /// bytes): a hit's answer is a few fixed lines, so it is written ready-made past the encoder, in one write.
    /// Field values are safe to copy as they are: swift-http-types has already replaced CR, LF and NUL in them.
    func http1Bytes(allocator: ByteBufferAllocator) -> ByteBuffer {
        if status == .noContent, headers.isEmpty {
            return Self.plainNoContent
        }
        var buffer = allocator.buffer(capacity: 64 + headers.count * 48 + body.count)
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        // NIO's phrase for a code it knows (413 is "Payload Too Large" there), as the router's answers carry.
        buffer.writeString(HTTPResponseStatus(statusCode: status.code, reasonPhrase: status.reasonPhrase).reasonPhrase)
        buffer.writeStaticString("\r\n")
        for field in headers {
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        if status != .noContent {
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(body.count))
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        buffer.writeBytes(body)
        return buffer
    }

    /// The usual answer to a hit, written once.
    static let plainNoContent = ByteBuffer(string: "HTTP/1.1 204 No Content\r\n\r\n")
}
