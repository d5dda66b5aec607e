import HTTPTypes
import Hummingbird
import Intake
import Logging
import NIOCore
import TagRuntime
import TagdJSON

/// Turns one intake request into events, runs the live tags on each, and answers the browser.
struct HitHandler: Sendable {
    let liveTags: LiveTags
    let intake: IntakeClients
    let cors: CORSPolicy
    let gifForGet: Bool
    let maxBodyBytes: Int
    let metrics: HitMetrics
    let logger: Logger

    func handle(_ request: Request, context: TagdRequestContext) async -> Response {
        let client = request.uri.path.hasPrefix("/g/") ? "ga4" : "json"
        let origin = request.headers[.origin]
        if request.method == .options {
            return Response(status: .noContent, headers: cors.headers(origin: origin, preflight: true))
        }
        var headers = cors.headers(origin: origin, preflight: false)
        let body: [UInt8]
        do {
            var buffer = try await request.body.collect(upTo: maxBodyBytes)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return reject(IntakeError.bodyTooLarge(limit: maxBodyBytes), client: client, path: request.uri.path, headers: headers)
        }
        let hit = IncomingHit(
            method: request.method.rawValue,
            path: request.uri.path,
            query: request.uri.query ?? "",
            headers: request.headers.map { (name: $0.name.canonicalName, value: $0.value) },
            body: body,
            peerAddress: context.peerAddress
        )
        let parsed: IntakeResult
        do throws(IntakeError) {
            guard let result = try intake.process(hit) else {
                return Response(status: .notFound, headers: headers)
            }
            parsed = result
        } catch {
            return reject(error, client: client, path: request.uri.path, headers: headers)
        }
        let engine = liveTags.engine
        let requestValue = parsed.request.asJSON()
        for event in parsed.events {
            let result = await engine.process(event: event, request: requestValue)
            for cookie in result.cookies {
                headers.append(HTTPField(name: .setCookie, value: cookie.headerValue))
            }
        }
        metrics.hit(client: client, outcome: "accepted")
        metrics.events(parsed.events.count)
        if gifForGet && request.method == .get {
            headers[.contentType] = "image/gif"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Self.transparentGIF)))
        }
        return Response(status: .noContent, headers: headers)
    }

    private func reject(_ error: IntakeError, client: String, path: String, headers: HTTPFields) -> Response {
        metrics.hit(client: client, outcome: error.code)
        logger.notice("hit rejected", metadata: ["client": "\(client)", "error": "\(error)"])
        var headers = headers
        headers[.contentType] = "application/json"
        if case .methodNotAllowed = error, let allowed = IntakeClients.allowedMethods(forPath: path) {
            headers[.allow] = allowed.joined(separator: ", ")
        }
        return Response(
            status: HTTPResponse.Status(code: error.httpStatus),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: error.responseBody.encoded())))
    }

    /// The smallest transparent 1x1 GIF.
    static let transparentGIF: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]
}
