import Foundation
import HTTPTypes
import HummingbirdTesting
import Intake
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOPosix
import PinterestTesting
import Synchronization
import TagdJSON
import Testing

@testable import TagRuntime
@testable import TagdServer

/// What only a raw connection shows about hits answered on the event loop: answers keep the order of
/// pipelined requests when hits and routed requests mix, a body may come in many parts, and
/// `Connection: close` closes after the answer.
@Suite struct EventLoopHitTests {
    static let countingTag = #"""
        return { trigger = { events = { "*" } }, fire = function(event)
          response.set_cookie("seen", event.event_name .. "-" .. tostring(event.n))
          return "ok"
        end }
        """#

    @Test(arguments: [true, false])
    func pipelinedRequestsAreAnsweredInOrder(onEventLoop: Bool) async throws {
        let tagd = try TagdHarness(tags: ["count.lua": Self.countingTag]) { $0.hitsOnEventLoop = onEventLoop }
        try await tagd.run { client in
            let port = try #require(client.port)
            // One write: hit, routed, hit, hit with its body in three chunks, routed, hit that closes.
            let requests = [
                Self.post(#"{"event_name":"a","n":1}"#),
                "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
                Self.post(#"{"event_name":"b","n":2}"#),
                Self.chunkedPost([#"{"event_n"#, #"ame":"c","#, #""n":3}"#]),
                "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
                Self.post(#"{"event_name":"d","n":4}"#, close: true),
            ]
            let answer = try await Self.exchange(port: port, requests.joined())
            let responses = Self.split(answer)
            #expect(responses.map(\.status) == [204, 200, 204, 204, 200, 204])
            #expect(responses.map(\.cookie) == ["seen=a-1", "", "seen=b-2", "seen=c-3", "", "seen=d-4"])
            #expect(responses[1].body == "ok\n" && responses[4].body == "ok\n")
            // `exchange` returns only once the server has closed the connection after the last answer.
        }
    }

    @Test func bodyOverTheLimitInManyPartsIsRefused() async throws {
        let tagd = try TagdHarness(tags: ["count.lua": Self.countingTag]) { $0.maxBodyBytes = 64 }
        try await tagd.run { client in
            let port = try #require(client.port)
            let chunk = String(repeating: " ", count: 40)
            let answer = try await Self.exchange(
                port: port, Self.chunkedPost([chunk, chunk]) + Self.post(#"{"event_name":"e","n":5}"#, close: true))
            let responses = Self.split(answer)
            #expect(responses.map(\.status) == [413, 204])
            #expect(responses.last?.cookie == "seen=e-5")
        }
    }

    /// On shutdown Hummingbird closes idle connections; a hit half read here is not idle, so it is
    /// finished and answered first, and only then is the close passed on.
    @Test func shutdownWaitsForAHitBeingRead() async throws {
        try await Self.withHitChannel(Self.answerHalfReadHitBeforeClosing)
    }

    /// Runs `body` with a tagd harness's live tags behind an `EventLoopHitHandler`, which `body` puts in
    /// an `EmbeddedChannel` with a handler of its own after it. What the channel writes is HTTP/1.1 bytes.
    static func withHitChannel(_ body: (TagdHarness, (any ChannelHandler) throws -> EmbeddedChannel) throws -> Void) async throws {
        let tagd = try TagdHarness(tags: ["count.lua": Self.countingTag])
        defer { try? FileManager.default.removeItem(at: tagd.folder) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let hits = HitHandler(
            liveTags: tagd.liveTags, intake: IntakeClients(), cors: CORSPolicy(origins: []), gifForGet: false,
            maxBodyBytes: 1024, metrics: HitMetrics(), logger: logger)
        do {
            try body(tagd) { next in
                let channel = EmbeddedChannel()
                // As in the server: NIO's response encoder ahead of the hit handler, which writes past it.
                try channel.pipeline.syncOperations.addHandlers([HTTPResponseEncoder(), EventLoopHitHandler(hits: hits), next])
                return channel
            }
        } catch {
            try? await tagd.httpClient.shutdown()  // a client dropped without shutdown stops the test process
            throw error
        }
        try await tagd.httpClient.shutdown()
    }

    static func answerHalfReadHitBeforeClosing(_ tagd: TagdHarness, channelWith: (any ChannelHandler) throws -> EmbeddedChannel) throws {
        let recorder = QuiesceRecorder()
        let channel = try channelWith(recorder)

        let head = Self.hitHead()
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: #"{"event_name":"a","#)))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(recorder.quiesced == 0)
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: #""n":1}"#)))
        // The last part and the close in one read: the answer must be flushed before the close, not after.
        channel.pipeline.fireChannelRead(HTTPServerRequestPart.end(nil))
        let responses = Self.split(try Self.written(by: channel))
        #expect(responses.map(\.status) == [204])
        #expect(responses.first?.cookie == "seen=a-1")
        #expect(recorder.quiesced == 1)
        #expect(!channel.isActive, "closed after the answer went out")
    }

    /// Stands where Hummingbird's connection handler does and acts as it does on shutdown when it has seen
    /// no request in progress: it closes the connection at once.
    final class QuiesceRecorder: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        var quiesced = 0
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            guard event is ChannelShouldQuiesceEvent else { return }
            quiesced += 1
            context.close(promise: nil)
        }
    }

    /// A hit that finds every VM busy is passed to the router whole (it waits for a VM there, without
    /// holding up the loop); once the router has answered, hits are answered on the loop again.
    @Test func aHitFindingEveryVMBusyGoesToTheRouterWhole() async throws {
        try await Self.withHitChannel(Self.passBusyHitToTheRouter)
    }

    static func passBusyHitToTheRouter(_ tagd: TagdHarness, channelWith: (any ChannelHandler) throws -> EmbeddedChannel) throws {
        let router = PartRecorder()
        let channel = try channelWith(router)
        let head = Self.hitHead()
        let body = #"{"event_name":"a","n":1}"#

        let pool = tagd.liveTags.engine.pool
        #expect(pool.count == 2)
        let held = try pool.tryWithVM { _ in
            try pool.tryWithVM { _ in
                try channel.writeInbound(HTTPServerRequestPart.head(head))
                try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: body)))
                try channel.writeInbound(HTTPServerRequestPart.end(nil))
            }
        }
        #expect(held.flatMap { $0 } != nil, "both VMs were held while the hit came in")
        #expect(router.parts == ["head POST /collect", "body \(body)", "end"])
        #expect(try Self.written(by: channel).isEmpty, "not answered on the loop")

        // The router answers; the next hit finds a VM and is answered on the loop.
        try channel.writeOutbound(HTTPServerResponsePart.head(
            HTTPResponseHead(version: .http1_1, status: .noContent, headers: ["X-Routed": "yes"])))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        let routed = Self.split(try Self.written(by: channel))
        #expect(routed.map(\.status) == [204] && routed.first?.headers["x-routed"] == "yes")
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: #"{"event_name":"b","n":2}"#)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        let answers = Self.split(try Self.written(by: channel))
        #expect(answers.map(\.status) == [204], "the second hit was answered on the loop")
        #expect(answers.first?.cookie == "seen=b-2")
        #expect(router.parts.count == 3)
        _ = try channel.finish()
    }

    /// Stands for the router: records the parts passed on to it.
    final class PartRecorder: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        var parts: [String] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): parts.append("head \(head.method.rawValue) \(head.uri)")
            case .body(let buffer): parts.append("body \(String(buffer: buffer))")
            case .end: parts.append("end")
            }
        }
    }

    /// A hit's head as NIO's HTTP/1 decoder gives it.
    static func hitHead() -> HTTPRequestHead {
        HTTPRequestHead(
            version: .http1_1, method: .POST, uri: "/collect",
            headers: ["Host": "t", "Content-Type": "application/json"])
    }

    static func post(_ json: String, close: Bool = false) -> String {
        "POST /collect HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n"
            + (close ? "Connection: close\r\n" : "") + "\r\n" + json
    }

    /// A POST whose body arrives in the given parts (chunked transfer encoding).
    static func chunkedPost(_ parts: [String]) -> String {
        "POST /collect HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + parts.map { String($0.utf8.count, radix: 16) + "\r\n" + $0 + "\r\n" }.joined() + "0\r\n\r\n"
    }

    struct RawResponse {
        var status: Int
        var headers: [String: String]
        var body: String
        var cookie: String { headers["set-cookie"].map { String($0.prefix { $0 != ";" }) } ?? "" }
    }

    /// Everything the channel has written so far, as text.
    static func written(by channel: EmbeddedChannel) throws -> String {
        var all = ByteBuffer()
        while let part = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(var buffer) = part { all.writeBuffer(&buffer) }
        }
        return String(buffer: all)
    }

    /// Splits HTTP/1.1 responses that carry `Content-Length` or no body (204).
    static func split(_ text: String) -> [RawResponse] {
        var responses: [RawResponse] = []
        var rest = Substring(text)
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<headEnd.lowerBound].components(separatedBy: "\r\n")
            let status = Int(lines[0].split(separator: " ")[1]) ?? 0
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            rest = rest[headEnd.upperBound...]
            let body = String(rest.utf8.prefix(length)) ?? ""
            rest = Substring(rest.utf8.dropFirst(length))
            responses.append(RawResponse(status: status, headers: headers, body: body))
        }
        return responses
    }

    /// Writes `request` on a new connection and returns everything read until the server closes it.
    static func exchange(port: Int, _ request: String) async throws -> String {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        try await channel.closeFuture.get()
        return collector.collected.withLock { String(buffer: $0) }
    }

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let collected = Mutex(ByteBuffer())
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var part = unwrapInboundIn(data)
            collected.withLock { $0.writeBuffer(&part) }
        }
    }
}
