/// A host function callable from Lua. It reports failure by throwing: the
/// error becomes a Lua error (catchable with pcall) raised by the C
/// trampoline after this Swift frame has returned. Argument errors from
/// `LuaArguments` get the caller's `chunk:line:` prefix; any other error is
/// raised with its description as the message.
public typealias NativeFunction = @Sendable (LuaArguments) throws -> [LuaValue]

/// A host function returning exactly one value: like `NativeFunction`
/// without a result array to allocate and free on every call (the usual
/// shape: a hash, a lookup, a formatted string). The value may be a
/// `LuaValue` or any tree that writes itself (`LuaTapeEncodable`), which
/// then reaches Lua without a `LuaValue` copy.
public typealias NativeScalarFunction = @Sendable (LuaArguments) throws -> any LuaTapeEncodable

/// A table of native functions and constant values, installed as a
/// read-only global of the shared base environment.
public struct NativeModule: Sendable {
    public var name: String
    public var functions: [String: NativeFunction]
    /// Functions returning exactly one value (names must not repeat those
    /// of `functions` or `values`).
    public var scalarFunctions: [String: NativeScalarFunction]
    public var values: [String: LuaValue]

    public init(
        name: String,
        functions: [String: NativeFunction] = [:],
        values: [String: LuaValue] = [:]
    ) {
        self.name = name
        self.functions = functions
        self.scalarFunctions = [:]
        self.values = values
    }

    public init(
        name: String,
        functions: [String: NativeFunction] = [:],
        scalarFunctions: [String: NativeScalarFunction],
        values: [String: LuaValue] = [:]
    ) {
        self.name = name
        self.functions = functions
        self.scalarFunctions = scalarFunctions
        self.values = values
    }
}
