import LuaHost
import TagdJSON

/// Event data crosses into Lua as plain tables; script results come back as JSON.
extension LuaValue {
    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(LuaValue.init))
        case .object(let o): self = .table(o.mapValues(LuaValue.init))
        }
    }
}

/// A hit's event and request go into Lua written straight from JSON (no `LuaValue` copy per hit).
extension JSONValue: LuaTapeEncodable {
    public func encode(to writer: inout LuaTapeWriter) throws(LuaError) {
        switch self {
        case .null: writer.writeNull()
        case .bool(let b): writer.write(b)
        case .int(let i): writer.write(i)
        case .double(let d): writer.write(d)
        case .string(let s): try writer.write(s)
        case .array(let items):
            try writer.writeArray(count: items.count) { (writer) throws(LuaError) in
                for item in items { try item.encode(to: &writer) }
            }
        case .object(let fields):
            try writer.writeTable(count: fields.count) { (writer) throws(LuaError) in
                for (key, value) in fields {
                    try writer.writeKey(key)
                    try value.encode(to: &writer)
                }
            }
        }
    }
}

/// Tables a script passes to a native function are read straight into JSON (no `LuaValue` tree first).
/// Lua nil reads as null; a function cannot be JSON.
extension JSONValue: LuaTapeDecodable {
    public static var luaNil: JSONValue { .null }
    public static var luaNull: JSONValue { .null }
    public init(luaBool: Bool) { self = .bool(luaBool) }
    public init(luaInteger: Int64) { self = .int(luaInteger) }
    public init(luaNumber: Double) { self = .double(luaNumber) }
    public init(luaString: String) { self = .string(luaString) }
    public init(luaBytes: UnsafeBufferPointer<UInt8>) { self = .string(String(decoding: luaBytes, as: UTF8.self)) }
    public init(luaArray: [JSONValue]) { self = .array(luaArray) }
    public init(luaTable: [String: JSONValue]) { self = .object(luaTable) }
    public static func luaFunction() throws(LuaError) -> JSONValue {
        throw .conversion("a function cannot be converted to JSON")
    }
}
