import LuaHost
import TagdJSON

/// What the engine needs of an event besides its content: the name triggers match.
public protocol TagEventData: LuaTapeEncodable {
    /// `event_name` when it is a string; empty otherwise.
    var eventName: String { get }

    /// Puts the event into `vm` (`LuaVM.share`): a read-only view for every trigger function of the hit,
    /// or, with `readOnly: false`, plain tables for one tag's `fire` to keep or change.
    func share(in vm: LuaVM, readOnly: Bool) throws(LuaError) -> LuaRef
}

extension TagEventData {
    public func share(in vm: LuaVM, readOnly: Bool) throws(LuaError) -> LuaRef { try vm.share(self, readOnly: readOnly) }
}

extension JSONValue: TagEventData {
    public var eventName: String { self["event_name"]?.stringValue ?? "" }
}

extension FlatJSON: TagEventData {
    public var eventName: String {
        (withRoot { $0.member("event_name")?.stringText } ?? nil) ?? ""
    }
}
