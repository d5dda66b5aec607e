extension FlatJSON {
    /// A node's stride and the byte offsets of its payload, count, end, kind and ASCII flag: a document whose
    /// nodes are written elsewhere in the same layout (a Lua table read in C) is adopted by copying its bytes.
    public static let nodeLayout: [Int] = [
        MemoryLayout<Node>.stride,
        MemoryLayout<Node>.offset(of: \.payload) ?? -1,
        MemoryLayout<Node>.offset(of: \.count) ?? -1,
        MemoryLayout<Node>.offset(of: \.end) ?? -1,
        MemoryLayout<Node>.offset(of: \.kind) ?? -1,
        MemoryLayout<Node>.offset(of: \.isASCII) ?? -1,
    ]

    /// Appends nodes from memory in `nodeLayout`, their ends and string offsets already counting from the start
    /// of this document. False, appending nothing, when the memory is not whole nodes or a node's kind is not a
    /// `JSONKind` or its flag not 0 or 1: no byte is taken for a node before it is known to be one.
    package mutating func appendNodes(copying memory: UnsafeRawBufferPointer) -> Bool {
        let stride = MemoryLayout<Node>.stride
        let kindOffset = Self.nodeLayout[4]
        let flagOffset = Self.nodeLayout[5]
        guard memory.count % stride == 0, kindOffset >= 0, flagOffset >= 0 else { return false }
        let count = memory.count / stride
        var offset = 0
        for _ in 0..<count {
            guard memory[offset + kindOffset] <= JSONKind.object.rawValue, memory[offset + flagOffset] <= 1 else {
                return false
            }
            offset += stride
        }
        appendNodes(count: count) { out in
            UnsafeMutableRawBufferPointer(out).copyMemory(from: memory)
        }
        return true
    }

    /// The nodes' memory, in `nodeLayout`.
    public func withNodeMemory<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result = nodes.withUnsafeBytes { memory in Result { () throws(E) -> R in try body(memory) } }
        return try result.get()
    }
}
