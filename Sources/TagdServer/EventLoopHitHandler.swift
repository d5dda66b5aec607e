import HTTPTypes
import Intake
import NIOCore
import NIOHTTP1
import Synchronization

/// Answers hits on the event loop that read them, before Hummingbird's async request handling.
///
/// It reads NIO's HTTP/1 parts, before they are converted to swift-http-types (``HitFirstHTTP1Channel``):
/// a hit needs neither that conversion nor its way back.
///
/// Intake, tags and hashing are synchronous and bounded by the Lua budgets, so a hit needs no task:
/// the body is gathered here, the tags run on a VM that prefers this loop, and the answer is written
/// without a thread hop (each hop costs ~10 µs and wakes another thread). Everything else, and a hit
/// that arrives while a routed request of the same connection is unanswered (so answers keep their
/// order), or while every VM is busy, passes on to the router unchanged.
final class EventLoopHitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        /// Gathering a hit's body; `body` is `nil` once it went over the limit.
        case gathering(HTTPRequestHead, HTTPRequest.Method, body: ByteBuffer?)
        /// Passing the current request on to the router.
        case forwarding
    }

    private let hits: HitHandler
    private var state = State.idle
    /// Requests passed to the router and not answered yet.
    private var routedRequests = 0
    private var preferredVM = 0
    private var peerAddress: String?
    private var needsFlush = false
    /// Something was passed on since the last read complete: only then do the handlers after this one get one.
    private var forwardedSinceReadComplete = false
    /// A graceful shutdown asked to close while a hit was being read; passed on once it is answered.
    private var quiesceAfterHit = false
    /// The HTTP/1 encoder's place in the pipeline: a hit's answer is written there as bytes (see
    /// `HitResponse.http1Bytes`). Only while no routed answer is unfinished, so nothing interleaves with the
    /// encoder's own output.
    private var encoder: ChannelHandlerContext?

    init(hits: HitHandler) {
        self.hits = hits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        preferredVM = EventLoopNumbers.shared.number(of: context.eventLoop)
        peerAddress = context.channel.remoteAddress?.ipAddress
        encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        encoder = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // One switch on the part, then on the state, and the state's payload moved out (`takeState`), not
        // copied: a switch over `(state, part)` copied both into a tuple and destroyed it through the
        // runtime's generic tuple witness, ~1,700 instructions and a dozen retains per hit.
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .idle = state else {
                forward(data, context: context)
                return
            }
            if routedRequests == 0, head.method != .HEAD, Self.isHitPath(head.uri), let method = Self.method(head.method) {
                state = .gathering(head, method, body: ByteBuffer())
            } else {
                routedRequests += 1
                state = .forwarding
                forward(data, context: context)
            }
        case .body(var chunk):
            switch takeState() {
            case .gathering(let head, let method, var body?):
                if body.readableBytes + chunk.readableBytes > hits.maxBodyBytes {
                    state = .gathering(head, method, body: nil)
                } else if body.readableBytes == 0 {
                    state = .gathering(head, method, body: chunk)  // the usual case: the whole body in one part
                } else {
                    body.writeBuffer(&chunk)
                    state = .gathering(head, method, body: body)
                }
            case .gathering(let head, let method, nil):
                state = .gathering(head, method, body: nil)  // over the limit: the rest is read and dropped
            case let other:
                state = other
                forward(data, context: context)
            }
        case .end:
            switch takeState() {
            case .gathering(let head, let method, let body):
                answer(head, method: method, body: body, context: context)
                if quiesceAfterHit {
                    quiesceAfterHit = false
                    // The close that follows would drop an answer not flushed yet.
                    needsFlush = false
                    context.flush()
                    context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
                }
            case .idle, .forwarding:
                forward(data, context: context)
            }
        }
    }

    /// The state, moved out and replaced by `.idle` (a `swap` moves both values: no retain, no release).
    private func takeState() -> State {
        var taken = State.idle
        swap(&taken, &state)
        return taken
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        // A batch of reads that were all hits answered here leaves the handlers after this one nothing to
        // deliver (NIOAsyncChannel's handler would find its buffer empty): the event would only walk the pipeline.
        if forwardedSinceReadComplete {
            forwardedSinceReadComplete = false
            context.fireChannelReadComplete()
        }
    }

    private func forward(_ data: NIOAny, context: ChannelHandlerContext) {
        forwardedSinceReadComplete = true
        context.fireChannelRead(data)
    }

    /// Hummingbird's connection handler closes an idle connection on shutdown, and it cannot see a hit
    /// read here; so a hit half read finishes (and is answered) before the close goes on.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, case .gathering = state {
            quiesceAfterHit = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routedRequests > 0 {
            routedRequests -= 1
        }
        context.write(data, promise: promise)
    }

    private func answer(_ head: HTTPRequestHead, method: HTTPRequest.Method, body: ByteBuffer?, context: ChannelHandlerContext) {
        let target = head.uri
        let queryStart = target.utf8.firstIndex(of: UInt8(ascii: "?"))
        let hit = IncomingHit(
            method: method.rawValue,
            path: queryStart.map { String(target[..<$0]) } ?? target,
            query: queryStart.map { String(target[target.index(after: $0)...]) } ?? "",
            fields: head.headers.map { IncomingHit.Field(name: $0.name, value: $0.value) },
            body: body.map { Array($0.readableBytesView) } ?? [],
            peerAddress: peerAddress)
        // Moved into `prepare`, which keeps it (intake's result holds it): not copied.
        let step = hits.prepare(method: method, hit: consume hit, bodyOverLimit: body == nil)
        switch step {
        case .answer(let response):
            write(response, closing: Self.wantsClose(head), context: context)
        case .runTags(let hit):
            if let results = hit.engine.processNow(events: hit.events, request: hit.request, preferredVM: preferredVM) {
                write(hits.finish(hit, results: results), closing: Self.wantsClose(head), context: context)
            } else {
                // Every VM is busy: the router waits for one without holding up this loop.
                routedRequests += 1
                forward(wrapInboundOut(.head(head)), context: context)
                if let body, body.readableBytes > 0 {
                    forward(wrapInboundOut(.body(body)), context: context)
                }
                forward(wrapInboundOut(.end(nil)), context: context)
            }
        }
    }

    private func write(_ response: HitResponse, closing: Bool, context: ChannelHandlerContext) {
        // The channel is set up with NIO's encoder ahead of this handler (`HitFirstHTTP1Channel`).
        guard let encoder else {
            context.close(promise: nil)
            return
        }
        let bytes = NIOAny(IOData.byteBuffer(response.http1Bytes(allocator: context.channel.allocator)))
        if closing {
            let channel = context.channel
            encoder.writeAndFlush(bytes).whenComplete { _ in channel.close(promise: nil) }
        } else {
            encoder.write(bytes, promise: nil)
            needsFlush = true
        }
    }

    static func isHitPath(_ target: Substring) -> Bool {
        target == "/collect" || target == "/g/collect"
    }

    /// The method in swift-http-types; `nil` for one it refuses (such a request goes to the router).
    static func method(_ method: HTTPMethod) -> HTTPRequest.Method? {
        switch method {
        case .GET: return .get
        case .POST: return .post
        case .OPTIONS: return .options
        case .HEAD: return .head
        case .PUT: return .put
        case .DELETE: return .delete
        case .PATCH: return .patch
        // NIO's parser has checked the token; a name swift-http-types refuses is answered as unsupported.
        default: return HTTPRequest.Method(method.rawValue)
        }
    }

    static func isHitPath(_ target: String) -> Bool {
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target[...]
        return isHitPath(path)
    }

    /// The same rule as Hummingbird's router path (`headerFields[.connection] == "close"`: the field's
    /// values joined), so both paths treat a connection alike.
    static func wantsClose(_ head: HTTPRequestHead) -> Bool {
        // Most requests carry no `Connection` field: no array of its values for them.
        guard head.headers.contains(name: "connection") else { return false }
        let values = head.headers["connection"]
        switch values.count {
        case 0: return false
        case 1: return values[0] == "close"
        default: return values.joined(separator: ", ") == "close"
        }
    }
}

/// Gives each event loop a small number, its preferred VM.
final class EventLoopNumbers: Sendable {
    static let shared = EventLoopNumbers()
    private let numbers = Mutex<[ObjectIdentifier: Int]>([:])

    func number(of eventLoop: any EventLoop) -> Int {
        numbers.withLock { numbers in
            let key = ObjectIdentifier(eventLoop)
            if let number = numbers[key] { return number }
            let number = numbers.count
            numbers[key] = number
            return number
        }
    }
}
