import CLuaShim

/// A Lua value written flat in C (`LuaArguments.withFlat`): its nodes in document order, a container's node
/// followed by its contents (a table's as key, value, key, value...), and every string's bytes in one buffer.
/// A caller adopts it in one pass, with one copy of the bytes, where reading it value by value
/// (`LuaArguments.visit`) hands over each string and key on its own. Borrowed: valid only inside `withFlat`.
public struct LuaFlatValue {
    public enum Kind: UInt8 {
        case `nil` = 0, bool, int, double, string, array, table, null
    }

    public struct Node {
        let raw: tagd_flat_node

        @inline(__always) public var kind: Kind { Kind(rawValue: raw.kind) ?? .nil }
        /// 0 or 1 for a bool, the bits of an int or a double, a string's byte offset in `bytes`.
        @inline(__always) public var payload: UInt64 { raw.payload }
        /// A string's byte count, an array's items, a table's entries.
        @inline(__always) public var count: Int { Int(raw.count) }
        /// The index after this node's subtree.
        @inline(__always) public var end: Int { Int(raw.end) }
        /// A string of ASCII bytes only (every key is one).
        @inline(__always) public var isASCII: Bool { raw.ascii != 0 }

        init(raw: tagd_flat_node) { self.raw = raw }

        /// A node as `LuaVM.share(flatNodeCount:bytes:writingNodes:)` reads it: `end` is the index after its
        /// subtree, `payload` a string's byte offset (or a bool's 0/1, an int's or double's bits).
        public init(kind: Kind, payload: UInt64 = 0, count: Int = 0, end: Int, isASCII: Bool = false) {
            precondition((0...Int(UInt32.max)).contains(count) && (0...Int(UInt32.max)).contains(end),
                         "a flat node's count and end are 32-bit")
            raw = tagd_flat_node(
                payload: payload, count: UInt32(truncatingIfNeeded: count), end: UInt32(truncatingIfNeeded: end),
                kind: kind.rawValue, ascii: isASCII ? 1 : 0)
        }
    }

    let nodes: UnsafeBufferPointer<tagd_flat_node>
    /// Every string's bytes, valid UTF-8.
    public let bytes: UnsafeBufferPointer<UInt8>

    init(_ flat: tagd_flat) {
        nodes = UnsafeBufferPointer(start: flat.nodes, count: flat.node_count)
        bytes = UnsafeBufferPointer(start: flat.bytes, count: flat.byte_count)
    }

    public var count: Int { nodes.count }

    /// A node's stride and the byte offsets of its payload, count, end, kind and ASCII flag (one byte, 0 or 1):
    /// a caller whose own node type has this layout copies `withNodeMemory`'s bytes in one go, and hands
    /// its nodes to `LuaVM.share(flatNodeMemory:bytes:nilIsNull:readOnly:)` as they are.
    public static let nodeLayout: [Int] = [
        MemoryLayout<tagd_flat_node>.stride,
        MemoryLayout<tagd_flat_node>.offset(of: \.payload) ?? -1,
        MemoryLayout<tagd_flat_node>.offset(of: \.count) ?? -1,
        MemoryLayout<tagd_flat_node>.offset(of: \.end) ?? -1,
        MemoryLayout<tagd_flat_node>.offset(of: \.kind) ?? -1,
        MemoryLayout<tagd_flat_node>.offset(of: \.ascii) ?? -1,
    ]

    /// The nodes' memory, in `nodeLayout`.
    public func withNodeMemory<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(nodes))
    }

    @inline(__always) public subscript(index: Int) -> Node { Node(raw: nodes[index]) }
}
