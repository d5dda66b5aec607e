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

extension FlatJSON {
    /// The event goes in from its nodes as they are (a JSON null as `json.null`), no tape between: the same
    /// view (or tables) `vm.share(self, readOnly:)` makes.
    public func share(in vm: LuaVM, readOnly: Bool) throws(LuaError) -> LuaRef {
        guard let end = withRoot({ $0.subtreeEnd }) else { return try vm.share(LuaValue.null) }
        if Self.nodeLayoutMatchesLua, end == nodes.count {
            // The nodes as they are: JSON's null is kind 0, Lua's nil (`nilIsNull`).
            return try bytes.withUnsafeBufferPointer { (bytes) throws(LuaError) in
                try withNodeMemory { (memory) throws(LuaError) in
                    try vm.share(flatNodeMemory: memory, bytes: bytes, nilIsNull: true, readOnly: readOnly)
                }
            }
        }
        return try bytes.withUnsafeBufferPointer { (bytes) throws(LuaError) in
            try vm.share(flatNodeCount: end, bytes: bytes, readOnly: readOnly) { out in
                for index in out.indices {
                    let node = nodes[index]
                    let kind: LuaFlatValue.Kind
                    switch node.kind {
                    case .null: kind = .null
                    case .bool: kind = .bool
                    case .int: kind = .int
                    case .double: kind = .double
                    case .string: kind = .string
                    case .array: kind = .array
                    case .object: kind = .table
                    }
                    out[index] = LuaFlatValue.Node(
                        kind: kind, payload: node.payload, count: Int(node.count), end: Int(node.end),
                        isASCII: node.isASCII)
                }
            }
        }
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
