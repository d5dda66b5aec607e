/// A value type that values read out of Lua are built as directly, so a caller's own tree (JSON, say)
/// is made in one pass instead of as a `LuaValue` tree that is then converted. It is built exactly
/// where the same read would build a `LuaValue` case (`LuaValue` itself conforms).
public protocol LuaTapeDecodable {
    /// Lua nil (only an absent argument or result reads as nil; tables never hold it).
    static var luaNil: Self { get }
    /// The null sentinel (`LuaValue.null`).
    static var luaNull: Self { get }
    init(luaBool: Bool)
    init(luaInteger: Int64)
    init(luaNumber: Double)
    init(luaString: String)
    /// A string that is not valid UTF-8.
    init(luaBytes: UnsafeBufferPointer<UInt8>) throws(LuaError)
    /// A non-empty sequence `1...n` with no other keys.
    init(luaArray: [Self])
    /// Any other table, keys as text.
    init(luaTable: [String: Self])
    /// A function met while reading; throw if the type cannot hold one.
    static func luaFunction() throws(LuaError) -> Self
}

extension LuaValue: LuaTapeDecodable {
    public static var luaNil: LuaValue { .nil }
    public static var luaNull: LuaValue { .null }
    public init(luaBool: Bool) { self = .bool(luaBool) }
    public init(luaInteger: Int64) { self = .int(luaInteger) }
    public init(luaNumber: Double) { self = .double(luaNumber) }
    public init(luaString: String) { self = .string(luaString) }
    public init(luaBytes: UnsafeBufferPointer<UInt8>) { self = .bytes(Array(luaBytes)) }
    public init(luaArray: [LuaValue]) { self = .array(luaArray) }
    public init(luaTable: [String: LuaValue]) { self = .table(luaTable) }
    public static func luaFunction() -> LuaValue { .function }
}
