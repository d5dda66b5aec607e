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
        let name: String?? = withRoot { root -> String? in
            guard let member = root.member("event_name") else { return nil }
            return member.withUTF8 { String(decoding: $0, as: UTF8.self) }
        }
        return (name ?? nil) ?? ""
    }
}
