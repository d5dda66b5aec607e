import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import TagdServer

/// A hit's answer is written as ready-made bytes past NIO's HTTP/1 encoder; they must be the encoder's own.
@Suite struct HitResponseBytesTests {
    static let responses: [HitResponse] = [
        HitResponse(status: .noContent, headers: HTTPFields()),
        HitResponse(status: .noContent, headers: [
            .accessControlAllowOrigin: "https://shop.example", .accessControlAllowCredentials: "true", .vary: "Origin",
        ]),
        HitResponse(status: .noContent, headers: HTTPFields([
            HTTPField(name: .setCookie, value: "_epik=dj0yJnU9abc; Max-Age=31536000; Path=/; Secure; SameSite=Lax"),
            HTTPField(name: .setCookie, value: "seen=a-1; Path=/"),
        ])),
        HitResponse(status: .ok, headers: [.contentType: "image/gif", .cacheControl: "no-store"], body: HitHandler.transparentGIF),
        HitResponse(status: .contentTooLarge, headers: [.contentType: "application/json"], body: Array(#"{"error":"body_too_large"}"#.utf8)),
        HitResponse(status: .methodNotAllowed, headers: [.contentType: "application/json", .allow: "GET, POST"], body: Array("{}".utf8)),
        HitResponse(status: .notFound, headers: HTTPFields()),
        // swift-http-types has replaced the line break, so the value cannot add a header line.
        HitResponse(status: .noContent, headers: HTTPFields([HTTPField(name: .setCookie, value: "a=b\r\nX-Evil: 1")])),
    ]

    @Test(arguments: Self.responses.indices)
    func bytesAreTheEncoders(index: Int) throws {
        let response = Self.responses[index]
        let mine = response.http1Bytes(allocator: ByteBufferAllocator())
        let theirs = try Self.encoded(response)
        #expect(String(buffer: mine) == String(buffer: theirs), "\(String(buffer: mine).debugDescription) vs \(String(buffer: theirs).debugDescription)")
        #expect(!String(buffer: mine).contains("\r\nX-Evil"))
    }

    /// What NIO's encoder writes for the same answer sent as parts.
    static func encoded(_ response: HitResponse) throws -> ByteBuffer {
        let channel = EmbeddedChannel(handler: HTTPResponseEncoder())
        var headers = HTTPHeaders()
        for field in response.headers { headers.add(name: field.name.rawName, value: field.value) }
        if response.status != .noContent { headers.add(name: "Content-Length", value: String(response.body.count)) }
        let status = HTTPResponseStatus(statusCode: response.status.code, reasonPhrase: response.status.reasonPhrase)
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        if !response.body.isEmpty {
            try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: response.body))))
        }
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        var all = ByteBuffer()
        while let part = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(var buffer) = part else { continue }
            all.writeBuffer(&buffer)
        }
        _ = try channel.finish()
        return all
    }
}
