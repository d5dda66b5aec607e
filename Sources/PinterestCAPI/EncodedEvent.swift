import TagdJSON

/// An accepted event as the outbox keeps it: its JSON, written once at `submit`, so a batch body is
/// the events' bytes joined, and what a log line about the event needs. A durable outbox stores the
/// same three fields.
public struct EncodedEvent: Sendable, Equatable {
    /// The event as compact JSON with sorted keys (what `JSONValue.encoded()` writes).
    public let json: [UInt8]
    public let eventName: String
    public let eventID: String

    public init(json: [UInt8], eventName: String, eventID: String) {
        self.json = json
        self.eventName = eventName
        self.eventID = eventID
    }

    /// Encodes `event`; `event_name` and `event_id` are read for logs (empty when not strings).
    public init(_ event: JSONValue) {
        self.init(
            json: Self.bytes(of: event),
            eventName: event["event_name"]?.stringValue ?? "",
            eventID: event["event_id"]?.stringValue ?? "")
    }

    /// The encoding, in an array of its exact size (`encoded()` returns one): it waits in the outbox
    /// until delivered, so it should not carry spare capacity.
    static func bytes(of event: JSONValue) -> [UInt8] {
        event.encoded()
    }
}
