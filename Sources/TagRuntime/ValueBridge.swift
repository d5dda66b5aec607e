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

extension JSONValue {
    /// A script's value as JSON. Lua `nil` inside a table cannot occur; functions cannot be sent.
    init(lua: LuaValue) throws(ValueBridgeError) {
        switch lua {
        case .nil, .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .bytes(let b): self = .string(String(decoding: b, as: UTF8.self))
        case .array(let a):
            var out: [JSONValue] = []
            out.reserveCapacity(a.count)
            for element in a { out.append(try JSONValue(lua: element)) }
            self = .array(out)
        case .table(let t):
            // mapValues keeps the key storage as it is: no key is hashed again.
            do {
                self = .object(try t.mapValues { value in try JSONValue(lua: value) })
            } catch let error as ValueBridgeError {
                throw error
            } catch {
                throw ValueBridgeError(message: "\(error)")
            }
        case .function:
            throw ValueBridgeError(message: "a function cannot be converted to JSON")
        }
    }
}

struct ValueBridgeError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
