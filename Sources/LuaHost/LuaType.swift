/// The Lua type of a value held by a ref, without converting it.
public enum LuaType: Sendable, Hashable {
    case `nil`, boolean, number, string, table, function, other
}
