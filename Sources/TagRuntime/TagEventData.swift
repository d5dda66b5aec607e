import LuaHost
import TagdJSON

/// What the engine needs of an event besides its content: the name triggers match.
public protocol TagEventData: LuaTapeEncodable {
    /// `event_name` when it is a string; empty otherwise.
    var eventName: String { get }

    /// Puts the event into `vm` once, as the read-only view every tag of the hit reads (`LuaVM.share`).
    func share(in vm: LuaVM) throws(LuaError) -> LuaRef
}

extension TagEventData {
    public func share(in vm: LuaVM) throws(LuaError) -> LuaRef { try vm.share(self) }
}

extension JSONValue: TagEventData {
    public var eventName: String { self["event_name"]?.stringValue ?? "" }
}

extension FlatJSON: TagEventData {
    public var eventName: String {
        (withRoot { $0.member("event_name")?.stringText } ?? nil) ?? ""
    }
}
