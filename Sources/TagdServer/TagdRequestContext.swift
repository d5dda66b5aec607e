import Hummingbird
import NIOCore

/// Request context that remembers the TCP peer, which tags see as the client IP unless a trusted
/// proxy says otherwise.
public struct TagdRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress
    }
}
