import AsyncHTTPClient
import NIOCore

extension PinterestSender {
    /// An HTTP client suited to the sender; the caller owns it and shuts it down.
    ///
    /// AsyncHTTPClient's default pool retries a failed connection until the request's deadline,
    /// which hides an unreachable Pinterest inside one long attempt. The sender has its own retry
    /// policy (backoff, counted, logged), so this client fails a connection at once instead.
    public static func makeHTTPClient(connectTimeout: Duration = .seconds(5)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .nanoseconds(connectTimeout.nanosecondsClamped)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
