import TagdJSON

/// The one entry the server calls per hit: picks the client by path, parses the query once for both the client and
/// the request info, and returns the events or the `IntakeError` to answer with. The request info itself is
/// worked out only if asked for (`IntakeResult.request`).
public struct IntakeClients: Sendable {
    public let configuration: IntakeConfiguration
    private let json: JSONCollectClient
    private let ga4: GA4CollectClient

    public init(configuration: IntakeConfiguration = IntakeConfiguration()) {
        self.configuration = configuration
        self.json = JSONCollectClient(configuration: configuration)
        self.ga4 = GA4CollectClient(configuration: configuration)
    }

    /// The paths served: `/collect` (JSON) and `/g/collect` (GA4).
    public static let paths = [JSONCollectClient.path, GA4CollectClient.path]

    /// Methods accepted on `path`, for the `Allow` header of a 405; nil for a path no client serves.
    public static func allowedMethods(forPath path: String) -> [String]? {
        switch path {
        case JSONCollectClient.path: JSONCollectClient.allowedMethods
        case GA4CollectClient.path: GA4CollectClient.allowedMethods
        default: nil
        }
    }

    /// The most values (keys, scalars and containers) one event may hold. GA4 allows 200 items an event, about
    /// 3,000 values; each tag that fires gets its own copy of the event in Lua, so the size of what a body can
    /// make every tag build is bounded here, not only by the body's bytes.
    public static let maxValuesPerEvent = 20_000

    /// The most events one hit may carry (a gtag.js batch holds a few dozen at most): every event runs every tag.
    public static let maxEventsPerHit = 1_000

    /// The events of `hit`, or nil when no client serves `hit.path` (the server answers 404).
    /// `hit` is consumed: the result keeps it (for `IntakeResult.request`), moved rather than copied.
    public func process(_ hit: consuming IncomingHit) throws(IntakeError) -> IntakeResult? {
        let result: IntakeResult
        switch hit.path {
        case JSONCollectClient.path:
            let fields = RequestFields(hit: hit, trustedProxies: configuration.trustedProxies)
            let events = try json.flatEvents(from: hit, fields: fields)
            result = IntakeResult(events: events, hit: consume hit, query: nil, trustedProxies: configuration.trustedProxies)
        case GA4CollectClient.path:
            let query = FormParameters(parsing: hit.query)
            let fields = RequestFields(hit: hit, trustedProxies: configuration.trustedProxies)
            let events = try ga4.flatEvents(from: hit, query: query, fields: fields)
            result = IntakeResult(events: events, hit: consume hit, query: query, trustedProxies: configuration.trustedProxies)
        default:
            return nil
        }
        if result.flatEvents.count > Self.maxEventsPerHit {
            throw .malformed("the hit holds \(result.flatEvents.count) events; at most \(Self.maxEventsPerHit) are accepted")
        }
        for (index, event) in result.flatEvents.enumerated() where event.nodes.count > Self.maxValuesPerEvent {
            let which = result.flatEvents.count > 1 ? "event \(index + 1) of the hit" : "the event"
            throw .malformed(
                "\(which) holds \(event.nodes.count) values (keys, values and containers); at most \(Self.maxValuesPerEvent) are accepted")
        }
        return result
    }
}
