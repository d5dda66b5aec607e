import TagdJSON

/// What intake made of one hit: the events for the tags, and the request they may inspect.
public struct IntakeResult: Sendable {
    /// One or more events, each an object of common event data with a non-empty `event_name`, in the flat form
    /// the tags receive them in.
    public var flatEvents: [FlatJSON]

    /// The events as trees (for tests and tools).
    public var events: [JSONValue] { flatEvents.map(\.jsonValue) }

    /// The request as tags may read it. Worked out when asked for: most hits are answered without it.
    public var request: RequestInfo {
        switch source {
        case .given(let request): request
        case .hit(let hit, let query, let trustedProxies):
            RequestInfo(hit: hit, query: query ?? FormParameters(parsing: hit.query), trustedProxies: trustedProxies)
        }
    }

    private enum RequestSource: Sendable {
        case given(RequestInfo)
        /// The query when a client has parsed it already.
        case hit(IncomingHit, FormParameters?, TrustedProxies)
    }

    private let source: RequestSource

    public init(events: [JSONValue], request: RequestInfo) {
        self.flatEvents = events.map(FlatJSON.init)
        self.source = .given(request)
    }

    init(events: [FlatJSON], hit: consuming IncomingHit, query: FormParameters?, trustedProxies: TrustedProxies) {
        self.flatEvents = events
        self.source = .hit(consume hit, query, trustedProxies)
    }
}
