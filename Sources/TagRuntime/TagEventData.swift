import LuaHost
import TagdJSON

/// What the engine needs of an event besides its content: the name triggers match.
public protocol TagEventData: LuaTapeEncodable {
    /// `event_name` when it is a string; empty otherwise.
    var eventName: String { get }
}

extension JSONValue: TagEventData {
    public var eventName: String { self["event_name"]?.stringValue ?? "" }
}

extension FlatJSON: TagEventData {
    public var eventName: String {
        (withRoot { $0.member("event_name")?.stringText } ?? nil) ?? ""
    }
}
