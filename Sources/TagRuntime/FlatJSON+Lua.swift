import LuaHost
import TagdJSON

/// A hit's event goes into Lua written straight from the flat document intake parsed the body into: no tree
/// per hit. It reads in Lua exactly as the same event as a `JSONValue` does.
extension FlatJSON: LuaTapeEncodable {
    public func encode(to writer: inout LuaTapeWriter) throws(LuaError) {
        if isEmpty {
            writer.writeNull()
            return
        }
        _ = try withRoot { (root) throws(LuaError) in try root.encode(to: &writer) }
    }
}

extension FlatJSON.Value {
    /// Walks the nodes in document order, children by index, with no closure per child.
    func encode(to writer: inout LuaTapeWriter) throws(LuaError) {
        switch kind {
        case .null: writer.writeNull()
        case .bool: writer.write(boolValue ?? false)
        case .int: writer.write(intValue ?? 0)
        case .double: writer.write(doubleValue ?? 0)
        case .string: try writer.write(utf8: utf8(at: index))
        case .array:
            let count = itemCount
            try writer.writeArray(count: count) { (writer) throws(LuaError) in
                var child = index + 1
                for _ in 0..<count {
                    let element = at(child)
                    try element.encode(to: &writer)
                    child = element.subtreeEnd
                }
            }
        case .object:
            let count = itemCount
            try writer.writeTable(count: count) { (writer) throws(LuaError) in
                var key = index + 1
                for _ in 0..<count {
                    try writer.writeKey(utf8: utf8(at: key))
                    let value = at(key + 1)
                    try value.encode(to: &writer)
                    key = value.subtreeEnd
                }
            }
        }
    }
}
