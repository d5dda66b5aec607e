import TagdJSON

/// A schema node's properties by name, for the validator's fast path: open addressing on a cheap
/// hash of the name (its length and first and last bytes) instead of `Dictionary`'s seeded SipHash,
/// which was most of validating a valid event. Names are compared in full, so a collision only costs
/// a probe. Each entry also says whether the property is required, so a walk over the members can count
/// the required ones it meets instead of looking each up. Built once per node; immutable.
///
/// The slots and names live in buffers that the table allocates once and never changes, read through plain
/// pointers, so a probe retains nothing (reading arrays kept in a struct retained each on every lookup).
struct PropertyTable: Sendable {
    private struct Slot {
        var start: Int32 = 0
        var count: Int32 = 0
        var required = false
        /// The property's schema; nil for an empty slot. Kept alive by `Storage.nodes`.
        var node: Unmanaged<SchemaNode>?
        /// Where `"name":` is, as JSON writes a member's key.
        var memberStart: Int32 = 0
        var memberCount: Int32 = 0
    }

    /// Immutable after `init`, so sharing it between threads is safe.
    private final class Storage: @unchecked Sendable {
        let slots: UnsafeMutableBufferPointer<Slot>
        let names: UnsafeMutableBufferPointer<UInt8>
        let mask: Int
        let nodes: [SchemaNode]

        init(slots: [Slot], names: [UInt8], nodes: [SchemaNode]) {
            self.slots = .allocate(capacity: slots.count)
            _ = self.slots.initialize(from: slots)
            self.names = .allocate(capacity: max(1, names.count))
            _ = self.names.initialize(from: names)
            self.mask = slots.count - 1
            self.nodes = nodes
        }

        deinit {
            slots.deallocate()
            names.deallocate()
        }
    }

    private let storage: Storage?

    init(_ properties: [String: SchemaNode], required: Set<String> = []) {
        guard !properties.isEmpty else {
            storage = nil
            return
        }
        var size = 4
        while size < properties.count * 4 { size *= 2 }
        var slots = [Slot](repeating: Slot(), count: size)
        var names: [UInt8] = []
        var nodes: [SchemaNode] = []
        for (name, node) in properties {
            let bytes = Array(name.utf8)
            var index = bytes.withUnsafeBufferPointer(Self.hash) & (size - 1)
            while slots[index].node != nil { index = (index + 1) & (size - 1) }
            // Each name is kept as the encoder writes it, `"name":`, so a member's key is written in one copy.
            var member = JSONOutput(capacity: bytes.count + 8)
            JSONWriter.writeKey(name, first: true, to: &member)
            let text = member.bytes
            slots[index] = Slot(start: Int32(names.count), count: Int32(bytes.count), required: required.contains(name),
                                node: Unmanaged.passUnretained(node), memberStart: Int32(names.count + bytes.count),
                                memberCount: Int32(text.count))
            names += bytes
            names += text
            nodes.append(node)
        }
        storage = Storage(slots: slots, names: names, nodes: nodes)
    }

    var isEmpty: Bool { storage == nil }

    /// Names are compared byte for byte: the schema's are ASCII, and no other text is canonically equal to one.
    /// The node is valid as long as the table (`withUnsafeGuaranteedRef` borrows it without a retain).
    func lookUp(utf8 name: UnsafeBufferPointer<UInt8>) -> (node: Unmanaged<SchemaNode>, required: Bool)? {
        lookUpMember(utf8: name).map { ($0.node, $0.required) }
    }

    /// As `lookUp(utf8:)`, with the member's key as JSON writes it (`"name":`), valid as long as the table.
    @inline(__always)
    func lookUpMember(
        utf8 name: UnsafeBufferPointer<UInt8>
    ) -> (node: Unmanaged<SchemaNode>, required: Bool, key: UnsafeBufferPointer<UInt8>)? {
        guard let storage else { return nil }
        let slots = storage.slots, names = storage.names, mask = storage.mask
        var index = Self.hash(name) & mask
        while let node = slots[index].node {
            let slot = slots[index]
            let start = Int(slot.start)
            if UTF8Bytes.equal(UnsafeBufferPointer(rebasing: names[start..<start + Int(slot.count)]), name) {
                let member = Int(slot.memberStart)
                return (node, slot.required,
                        UnsafeBufferPointer(rebasing: names[member..<member + Int(slot.memberCount)]))
            }
            index = (index + 1) & mask
        }
        return nil
    }

    private static func hash(_ name: UnsafeBufferPointer<UInt8>) -> Int {
        let first = Int(name.first ?? 0), last = Int(name.last ?? 0)
        return (name.count &* 0x9E37 &+ first &* 0x1F &+ last) ^ (last >> 3)
    }
}
