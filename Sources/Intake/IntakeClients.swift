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

    /// The events of `hit`, or nil when no client serves `hit.path` (the server answers 404).
    public func process(_ hit: IncomingHit) throws(IntakeError) -> IntakeResult? {
        switch hit.path {
        case JSONCollectClient.path:
            let fields = RequestFields(hit: hit, trustedProxies: configuration.trustedProxies)
            return IntakeResult(
                events: try json.flatEvents(from: hit, fields: fields), hit: hit, query: nil,
                trustedProxies: configuration.trustedProxies)
        case GA4CollectClient.path:
            let query = FormParameters(parsing: hit.query)
            let fields = RequestFields(hit: hit, trustedProxies: configuration.trustedProxies)
            return IntakeResult(
                events: try ga4.flatEvents(from: hit, query: query, fields: fields), hit: hit,
                query: query,
                trustedProxies: configuration.trustedProxies)
        default:
            return nil
        }
    }
}
