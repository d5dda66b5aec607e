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

    /// Whether `JSONKind`'s cases are stored as their raw values (the kind byte `nodeLayout` describes): they are
    /// declared in raw-value order from 0, which this checks rather than assumes.
    static let kindsAreRawValues: Bool = [JSONKind.null, .bool, .int, .double, .string, .array, .object].allSatisfy {
        unsafeBitCast($0, to: UInt8.self) == $0.rawValue
    }

    /// The nodes' memory, in `nodeLayout`.
    public func withNodeMemory<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result = nodes.withUnsafeBytes { memory in Result { () throws(E) -> R in try body(memory) } }
        return try result.get()
    }
}
