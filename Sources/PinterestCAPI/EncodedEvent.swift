import TagdJSON

/// An event as JSON, written once at `submit`, so a batch body is the events' bytes joined, with what a log line
/// about the event needs. The outbox keeps the bytes only (``OutboxEntry``); the name and id are read back from them
/// when a line is logged, which is rare, instead of being kept for every event.
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

    /// `json` with `event_name` and `event_id` read from it (empty when not strings, or not JSON).
    public init(json: [UInt8]) {
        let document = try? FlatJSON.parse(json)
        func text(_ name: String) -> String {
            (document?.withRoot { $0.member(name)?.stringText } ?? nil) ?? ""
        }
        self.init(json: json, eventName: text("event_name"), eventID: text("event_id"))
    }

    /// Encodes `event`; `event_name` and `event_id` are read for logs (empty when not strings).
    public init(_ event: JSONValue) {
        self.init(
            json: Self.bytes(of: event),
            eventName: event["event_name"]?.stringValue ?? "",
            eventID: event["event_id"]?.stringValue ?? "")
    }

    /// The encoding, in an array of its exact size (`encoded()` returns one).
    static func bytes(of event: JSONValue) -> [UInt8] {
        event.encoded()
    }
}
