import HTTPTypes
import Intake
import Logging
import TagRuntime
import TagdJSON

/// Turns one intake request into events, runs the live tags on each, and answers the browser.
///
/// It works in two steps, so that both the event-loop path (``EventLoopHitHandler``) and the
/// router's async path share it: `prepare` reads the request into events (or answers it at once),
/// the caller runs the tags on a VM it obtained its own way, and `finish` builds the answer.
struct HitHandler: Sendable {
    let liveTags: LiveTags
    let intake: IntakeClients
    let cors: CORSPolicy
    let gifForGet: Bool
    let maxBodyBytes: Int
    let metrics: HitMetrics
    let logger: Logger

    /// A request read up to its body, whatever the path it arrived by.
    struct Request {
        var method: HTTPRequest.Method
        var path: String
        var query: String
        /// In arrival order, as `IncomingHit` takes them (either path's header type maps to this directly).
        var headers: [(name: String, value: String)]
        /// `nil` when the body went over `maxBodyBytes`.
        var body: [UInt8]?
        var peerAddress: String?
    }

    /// A hit whose events are ready for the tags.
    struct PreparedHit {
        let engine: TagEngine
        let events: [FlatJSON]
        let request: JSONValue
        let headers: HTTPFields
        let client: String
        let answerWithGIF: Bool
    }

    enum Step {
        case answer(HitResponse)
        case runTags(PreparedHit)
    }

    /// The intake clients hits are counted under (`tagd_hits_total{client}`).
    static let clients = (ga4: "ga4", json: "json")

    func prepare(_ request: Request) -> Step {
        prepare(
            method: request.method,
            hit: IncomingHit(
                method: request.method.rawValue, path: request.path, query: request.query, headers: request.headers,
                body: request.body ?? [], peerAddress: request.peerAddress),
            bodyOverLimit: request.body == nil)
    }

    /// `prepare` for a request read straight into an `IncomingHit` (the event loop's path): the hit is moved
    /// into intake, not copied field by field. `hit.method` is `method.rawValue`; `hit.body` is empty when
    /// `bodyOverLimit`.
    func prepare(method: HTTPRequest.Method, hit: consuming IncomingHit, bodyOverLimit: Bool) -> Step {
        assert(hit.method == method.rawValue && (!bodyOverLimit || hit.body.isEmpty), "the hit and its method or limit disagree")
        let path = hit.path
        let client = path.hasPrefix("/g/") ? Self.clients.ga4 : Self.clients.json
        // As `HTTPFields[.origin]` reads it: every value, joined (nothing is built when there is none).
        let origin = hit.joinedHeader("origin", separator: ", ")
        if method == .options {
            return .answer(HitResponse(status: .noContent, headers: cors.headers(origin: origin, preflight: true)))
        }
        let headers = cors.headers(origin: origin, preflight: false)
        guard !bodyOverLimit else {
            return .answer(reject(.bodyTooLarge(limit: maxBodyBytes), client: client, path: path, headers: headers))
        }
        let parsed: IntakeResult
        do throws(IntakeError) {
            guard let result = try intake.process(consume hit) else {
                return .answer(HitResponse(status: .notFound, headers: headers))
            }
            parsed = result
        } catch {
            return .answer(reject(error, client: client, path: path, headers: headers))
        }
        let engine = liveTags.engine
        return .runTags(
            PreparedHit(
                // The request is built for Lua only when some tag can read it.
                engine: engine, events: parsed.flatEvents, request: engine.readsRequest ? parsed.request.asJSON() : .null,
                headers: headers, client: client, answerWithGIF: gifForGet && method == .get))
    }

    func finish(_ hit: PreparedHit, results: [HitResult]) -> HitResponse {
        var headers = hit.headers
        for result in results {
            for cookie in result.cookies {
                headers.append(HTTPField(name: .setCookie, value: cookie.headerValue))
            }
        }
        metrics.hit(client: hit.client, outcome: "accepted")
        metrics.events(hit.events.count)
        if hit.answerWithGIF {
            headers[.contentType] = "image/gif"
            headers[.cacheControl] = "no-store"
            return HitResponse(status: .ok, headers: headers, body: Self.transparentGIF)
        }
        return HitResponse(status: .noContent, headers: headers)
    }

    /// The whole exchange, waiting for a VM when all are busy: the router's path.
    func handle(_ request: Request) async -> HitResponse {
        switch prepare(request) {
        case .answer(let response):
            return response
        case .runTags(let hit):
            return finish(hit, results: await hit.engine.process(events: hit.events, request: hit.request))
        }
    }

    private func reject(_ error: IntakeError, client: String, path: String, headers: HTTPFields) -> HitResponse {
        metrics.hit(client: client, outcome: error.code)
        logger.notice("hit rejected", metadata: ["client": "\(client)", "error": "\(error)"])
        var headers = headers
        headers[.contentType] = "application/json"
        if case .methodNotAllowed = error, let allowed = IntakeClients.allowedMethods(forPath: path) {
            headers[.allow] = allowed.joined(separator: ", ")
        }
        return HitResponse(status: HTTPResponse.Status(code: error.httpStatus), headers: headers, body: error.responseBody.encoded())
    }

    /// The smallest transparent 1x1 GIF.
    static let transparentGIF: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]
}

/// What a hit is answered with.
struct HitResponse {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8] = []
}
