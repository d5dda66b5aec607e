/// A schema node's properties by name, for the validator's fast path: open addressing on a cheap
/// hash of the name (its length and first and last bytes) instead of `Dictionary`'s seeded SipHash,
/// which was most of validating a valid event. Names are compared in full, so a collision only costs
/// a probe. Each entry also says whether the property is required, so a walk over the members can count
/// the required ones it meets instead of looking each up. Built once per node; immutable.
struct PropertyTable: Sendable {
    private let slots: [(name: [UInt8], node: SchemaNode, required: Bool)?]
    private let mask: Int

    init(_ properties: [String: SchemaNode], required: Set<String> = []) {
        var size = 4
        while size < properties.count * 4 { size *= 2 }
        var slots = [(name: [UInt8], node: SchemaNode, required: Bool)?](repeating: nil, count: size)
        for (name, node) in properties {
            let bytes = Array(name.utf8)
            var index = bytes.withUnsafeBufferPointer(Self.hash) & (size - 1)
            while slots[index] != nil { index = (index + 1) & (size - 1) }
            slots[index] = (bytes, node, required.contains(name))
        }
        self.slots = properties.isEmpty ? [] : slots
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
        var index = Self.hash(name) & mask
        while let slot = slots[index] {
            if slot.name.elementsEqual(name) { return (slot.node, slot.required) }
            index = (index + 1) & mask
        }
        return nil
    }

    private static func hash(_ name: UnsafeBufferPointer<UInt8>) -> Int {
        let first = Int(name.first ?? 0), last = Int(name.last ?? 0)
        return (name.count &* 0x9E37 &+ first &* 0x1F &+ last) ^ (last >> 3)
    }
}
