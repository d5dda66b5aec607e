import Foundation
import Hummingbird
import Intake
import Logging
import NIOCore
import PinterestCAPI
import ServiceLifecycle
import TagRuntime

/// Builds the tagd HTTP application: intake routes, health and metrics.
public enum TagdApplication {
    /// - Parameters:
    ///   - services: run with the application and shut down after the server stops accepting
    ///     (the Pinterest sender, so queued events are flushed after the last hit is processed).
    public static func make(
        configuration: TagdConfiguration,
        liveTags: LiveTags,
        services: [any Service] = [],
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        _ = MetricsBootstrap.registry
        let intake = IntakeClients(
            configuration: IntakeConfiguration(
                bodyLimit: configuration.maxBodyBytes,
                trustedProxies: try TrustedProxies(configuration.trustedProxies)))
        let handler = HitHandler(
            liveTags: liveTags,
            intake: intake,
            cors: CORSPolicy(origins: configuration.corsOrigins),
            gifForGet: configuration.gifForGet,
            maxBodyBytes: configuration.maxBodyBytes,
            metrics: HitMetrics(),
            logger: logger)

        let router = Router(context: TagdRequestContext.self)
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: MetricsBootstrap.render())))
        }
        AdminRoutes.add(to: router, liveTags: liveTags, token: configuration.adminToken)
        for path in ["/collect", "/g/collect"] {
            for method in [HTTPRequest.Method.get, .post, .options, .put, .delete, .patch, .head] {
                router.on(RouterPath(path), method: method) { request, context in
                    await routed(request, context: context, handler: handler)
                }
            }
        }

        let hitsOnEventLoop = configuration.hitsOnEventLoop
        return Application(
            router: router,
            server: .hitFirstHTTP1(hits: hitsOnEventLoop ? handler : nil),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// A hit through the router: the body is collected and a VM awaited without blocking a thread.
    static func routed(_ request: Request, context: TagdRequestContext, handler: HitHandler) async -> Response {
        var body: [UInt8]?
        if var buffer = try? await request.body.collect(upTo: handler.maxBodyBytes) {
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        let response = await handler.handle(
            HitHandler.Request(
                method: request.method, path: request.uri.path, query: request.uri.query ?? "",
                headers: request.headers.map { (name: $0.name.rawName, value: $0.value) }, body: body,
                peerAddress: context.peerAddress))
        return Response(
            status: response.status, headers: response.headers,
            body: response.body.isEmpty ? .init() : .init(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}
