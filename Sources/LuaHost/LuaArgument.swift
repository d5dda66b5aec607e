/// One argument of `LuaVM.call(_:arguments:owner:)`: a value copied into
/// the VM for this call, or a value already in the VM (e.g. the read-only
/// event view from `LuaVM.share(_:)`), passed by reference at no copy cost.
public enum LuaArgument {
    case value(LuaValue)
    case ref(LuaRef)
}

extension LuaArgument: Sendable, Hashable {}
