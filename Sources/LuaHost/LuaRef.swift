/// A reference to a Lua value held in its VM's registry. Only meaningful
/// with the VM that produced it; release it with `LuaVM.release(_:)`.
public struct LuaRef: Hashable, Sendable {
    let id: Int32
    let vmID: UInt64
}
