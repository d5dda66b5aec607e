import TagdJSON

/// What intake made of one hit: the events for the tags, and the request they may inspect.
public struct IntakeResult: Sendable {
    /// One or more events, each an `.object` of common event data with a non-empty `event_name`.
    public var events: [JSONValue]
    public var request: RequestInfo

    public init(events: [JSONValue], request: RequestInfo) {
        self.events = events
        self.request = request
    }
}
