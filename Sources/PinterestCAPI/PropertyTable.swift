import TagdJSON

/// A schema node's properties by name, for the validator's fast path: open addressing on a cheap
/// hash of the name (its length and first and last bytes) instead of `Dictionary`'s seeded SipHash,
/// which was most of validating a valid event. Names are compared in full, so a collision only costs
/// a probe. Each entry also says whether the property is required, so a walk over the members can count
/// the required ones it meets instead of looking each up. Built once per node; immutable.
///
/// Slots are plain integers into one buffer of names and one array of nodes, so a probe retains nothing.
struct PropertyTable: Sendable {
    private struct Slot: Sendable {
        var start: Int32 = 0
        var count: Int32 = 0
        /// Index into `nodes`; -1 for an empty slot.
        var node: Int32 = -1
        var required = false
    }

    private let slots: [Slot]
    private let names: [UInt8]
    private let nodes: [SchemaNode]
    private let mask: Int

    init(_ properties: [String: SchemaNode], required: Set<String> = []) {
        var size = 4
        while size < properties.count * 4 { size *= 2 }
        var slots = [Slot](repeating: Slot(), count: size)
        var names: [UInt8] = []
        var nodes: [SchemaNode] = []
        for (name, node) in properties {
            let bytes = Array(name.utf8)
            var index = bytes.withUnsafeBufferPointer(Self.hash) & (size - 1)
            while slots[index].node >= 0 { index = (index + 1) & (size - 1) }
            slots[index] = Slot(start: Int32(names.count), count: Int32(bytes.count), node: Int32(nodes.count),
                                required: required.contains(name))
            names += bytes
            nodes.append(node)
        }
        self.slots = properties.isEmpty ? [] : slots
        self.names = names
        self.nodes = nodes
        self.mask = size - 1
    }

    var isEmpty: Bool { slots.isEmpty }

    subscript(name: String) -> SchemaNode? {
        entry(name)?.node
    }

    func entry(_ name: String) -> (node: SchemaNode, required: Bool)? {
        var name = name
        return name.withUTF8 { entry(utf8: $0) }
    }

    /// Names are compared byte for byte: the schema's are ASCII, and no other text is canonically equal to one.
    func entry(utf8 name: UnsafeBufferPointer<UInt8>) -> (node: SchemaNode, required: Bool)? {
        guard !slots.isEmpty else { return nil }
        let found = slots.withUnsafeBufferPointer { slots in
            names.withUnsafeBufferPointer { names -> Slot? in
                var index = Self.hash(name) & mask
                while slots[index].node >= 0 {
                    let slot = slots[index]
                    let start = Int(slot.start)
                    if UTF8Bytes.equal(UnsafeBufferPointer(rebasing: names[start..<start + Int(slot.count)]), name) {
                        return slot
                    }
                    index = (index + 1) & mask
                }
                return nil
            }
        }
        guard let found else { return nil }
        return (nodes[Int(found.node)], found.required)
    }

    private static func hash(_ name: UnsafeBufferPointer<UInt8>) -> Int {
        let first = Int(name.first ?? 0), last = Int(name.last ?? 0)
        return (name.count &* 0x9E37 &+ first &* 0x1F &+ last) ^ (last >> 3)
    }
}
