/// A JSON document in two arrays: its nodes in document order, indices instead of references, and the bytes
/// of its strings and keys in one buffer. Filling and walking one costs no reference counting per value and two
/// allocations per document, where a `JSONValue` tree costs a dictionary or array per container and a
/// `String` per long string; the hot path of a hit (`pinterest.send`, `hash.user_data`) uses this form.
///
/// Layout: a container's node is followed by its contents; an object's by, per member, a key node (kind
/// `.string`) and then the value's nodes. Every node records where its subtree ends, so a walk skips a
/// member without visiting it. Strings are valid UTF-8 (whoever fills it must see to that).
public struct FlatJSON: Sendable {
    public struct Node: Sendable {
        /// Int or double bits, 0/1 for a bool, the byte offset of a string.
        public internal(set) var payload: UInt64
        /// A string's byte count, an array's elements, an object's members.
        public internal(set) var count: UInt32
        /// The index after this node's subtree.
        public internal(set) var end: UInt32
        public internal(set) var kind: JSONKind
        /// A string that is all ASCII: compared byte for byte (other text is compared as `String`s, which
        /// compare canonical forms).
        public internal(set) var isASCII = false
    }

    public private(set) var nodes: [Node] = []
    public private(set) var bytes: [UInt8] = []

    /// An empty document; allocates nothing until filled.
    public init() {}

    public init(nodeCapacity: Int, byteCapacity: Int = 1_024) {
        nodes.reserveCapacity(nodeCapacity)
        bytes.reserveCapacity(byteCapacity)
    }

    /// A document from nodes and bytes that keep this layout's invariants (a scanner's, checked as it wrote them).
    init(trustedNodes: [Node], bytes: [UInt8]) {
        nodes = trustedNodes
        self.bytes = bytes
    }

    /// `value` in flat form, its buffers sized once by a count of its nodes and bytes (growing them as it goes
    /// reallocated each a dozen times for an event).
    public init(_ value: JSONValue) {
        var size = (nodes: 0, bytes: 0)
        Self.count(value, into: &size)
        self.init(nodeCapacity: size.nodes, byteCapacity: size.bytes)
        appendValue(value)
    }

    private static func count(_ value: JSONValue, into size: inout (nodes: Int, bytes: Int)) {
        size.nodes += 1
        switch value {
        case .string(let s): size.bytes += s.utf8.count
        case .array(let elements): for element in elements { count(element, into: &size) }
        case .object(let members):
            for (key, member) in members {
                size.nodes += 1
                size.bytes += key.utf8.count
                count(member, into: &size)
            }
        case .null, .bool, .int, .double: break
        }
    }

    public var isEmpty: Bool { nodes.isEmpty }

    /// Empties the document, keeping its buffers' capacity for the next one.
    public mutating func removeAll() {
        nodes.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Appends a tree's nodes (members in the dictionary's order).
    public mutating func appendValue(_ value: JSONValue) {
        switch value {
        case .null: appendNull()
        case .bool(let b): append(b)
        case .int(let i): append(i)
        case .double(let d): append(d)
        case .string(let s): appendString(s)
        case .array(let elements):
            let mark = beginContainer(.array, count: elements.count)
            for element in elements { appendValue(element) }
            endContainer(mark)
        case .object(let members):
            let mark = beginContainer(.object, count: members.count)
            for (key, member) in members {
                appendString(key)
                appendValue(member)
            }
            endContainer(mark)
        }
    }

    // MARK: - Filling, in document order

    public mutating func appendNull() { scalar(.null, 0) }
    public mutating func append(_ value: Bool) { scalar(.bool, value ? 1 : 0) }
    public mutating func append(_ value: Int64) { scalar(.int, UInt64(bitPattern: value)) }
    public mutating func append(_ value: Double) { scalar(.double, value.bitPattern) }

    /// A string or an object's key (the same node): `utf8` must be valid UTF-8.
    public mutating func appendString(_ utf8: UnsafeBufferPointer<UInt8>) {
        let offset = bytes.count
        bytes.append(contentsOf: utf8)
        nodes.append(Node(payload: UInt64(offset), count: UInt32(truncatingIfNeeded: utf8.count),
                          end: UInt32(truncatingIfNeeded: nodes.count + 1), kind: .string,
                          isASCII: UTF8Bytes.isASCII(utf8)))
    }

    /// As `appendString(_:)` for bytes whose ASCII-ness the caller knows (hex digits, a fixed key).
    package mutating func appendString(_ utf8: UnsafeBufferPointer<UInt8>, isASCII: Bool) {
        let offset = bytes.count
        bytes.append(contentsOf: utf8)
        nodes.append(Node(payload: UInt64(offset), count: UInt32(truncatingIfNeeded: utf8.count),
                          end: UInt32(truncatingIfNeeded: nodes.count + 1), kind: .string, isASCII: isASCII))
    }

    /// A string node over bytes already in `bytes`, at `offset`: a parsed document keeps its source there and
    /// points its plain strings into it, instead of copying each (about 130 strings a hit, counting the sender's
    /// share of each answer from Pinterest).
    public mutating func appendString(at offset: Int, count: Int, isASCII: Bool) {
        nodes.append(Node(payload: UInt64(offset), count: UInt32(truncatingIfNeeded: count),
                          end: UInt32(truncatingIfNeeded: nodes.count + 1), kind: .string, isASCII: isASCII))
    }

    /// Appends `count` nodes that `body` writes in place, in this layout and rebased by the caller (their ends
    /// and string offsets count from the start of this document): for a value written flat elsewhere (a Lua
    /// table read in C), which would otherwise go node by node through `append`.
    package mutating func appendNodes(count: Int, _ body: (UnsafeMutableBufferPointer<Node>) -> Void) {
        let start = nodes.count
        nodes.append(contentsOf: repeatElement(Node(payload: 0, count: 0, end: 0, kind: .null), count: count))
        nodes.withUnsafeMutableBufferPointer { all in
            body(UnsafeMutableBufferPointer(rebasing: all[start...]))
        }
    }

    /// Appends nodes from memory in `nodeLayout`, their ends and string offsets already counting from the start
    /// of this document. False, appending nothing, when the memory is not whole nodes or a node's kind is not a
    /// `JSONKind` or its flag not 0 or 1: the bytes are taken as nodes only once they are known to be nodes.
    package mutating func appendNodes(copying memory: UnsafeRawBufferPointer) -> Bool {
        let stride = MemoryLayout<Node>.stride
        guard memory.count % stride == 0, Self.nodeLayoutIsValid, Self.kindsAreRawValues,
              let base = memory.baseAddress, Int(bitPattern: base) % MemoryLayout<Node>.alignment == 0
        else { return false }
        let count = memory.count / stride
        let start = nodes.count
        // Every field a reader trusts: the kind and flag bytes, each subtree's end within the nodes, each
        // string within the bytes. The layout Swift gives `Node` today is checked with its offsets as constants.
        let fields = Self.nodeFields
        let bad = fields == Self.usualNodeFields
            ? Self.invalidNodes(base, count: count, start: start, byteCount: bytes.count, fields: Self.usualNodeFields)
            : Self.invalidNodes(base, count: count, start: start, byteCount: bytes.count, fields: fields)
        if bad != 0 { return false }
        base.withMemoryRebound(to: Node.self, capacity: count) { typed in
            nodes.append(contentsOf: UnsafeBufferPointer(start: typed, count: count))
        }
        return true
    }

    /// Nonzero when one of `count` nodes at `base`, read at `fields`' offsets, is not a valid node of a document
    /// whose nodes from `start` on they are: tested as flags ORed together, without a branch per node (most are
    /// fine). Inlined, so that the usual offsets become constants.
    @inline(__always)
    private static func invalidNodes(
        _ base: UnsafeRawPointer, count: Int, start: Int, byteCount: Int, fields: NodeFields
    ) -> UInt64 {
        let byteCount = UInt64(byteCount)
        let lowestEnd = UInt64(start) &+ 1, highestEnd = UInt64(start &+ count)
        var bad: UInt64 = 0
        var node = base
        for i in 0..<count {
            let kind = UInt64(node.load(fromByteOffset: fields.kind, as: UInt8.self))
            let flag = UInt64(node.load(fromByteOffset: fields.isASCII, as: UInt8.self))
            let end = UInt64(node.loadUnaligned(fromByteOffset: fields.end, as: UInt32.self))
            let payload = node.loadUnaligned(fromByteOffset: fields.payload, as: UInt64.self)
            let length = UInt64(node.loadUnaligned(fromByteOffset: fields.count, as: UInt32.self))
            let outsideBytes = bit(payload > byteCount) | bit(length > byteCount &- payload)
            bad |= bit(kind > UInt64(JSONKind.object.rawValue)) | bit(flag > 1)
                | bit(end < lowestEnd &+ UInt64(i)) | bit(end > highestEnd)
                | (bit(kind == UInt64(JSONKind.string.rawValue)) & outsideBytes)
            node += MemoryLayout<Node>.stride
        }
        return bad
    }

    typealias NodeFields = (payload: Int, count: Int, end: Int, kind: Int, isASCII: Int)

    /// The offsets Swift lays `Node` out at today (its fields in declaration order, the flag after the kind).
    private static var usualNodeFields: NodeFields { (payload: 0, count: 8, end: 12, kind: 16, isASCII: 17) }

    /// `nodeLayout`'s offsets, once it is known to be complete.
    private static let nodeFields: NodeFields = (
        payload: max(nodeLayout[1], 0), count: max(nodeLayout[2], 0), end: max(nodeLayout[3], 0),
        kind: max(nodeLayout[4], 0), isASCII: max(nodeLayout[5], 0)
    )

    @inline(__always)
    private static func bit(_ condition: Bool) -> UInt64 { condition ? 1 : 0 }

    /// Whether every offset of `nodeLayout` is known.
    private static let nodeLayoutIsValid = nodeLayout.allSatisfy { $0 >= 0 }

    /// Appends bytes that no node refers to yet (a parser's source document); returns where they start.
    public mutating func appendSource(_ source: UnsafeBufferPointer<UInt8>) -> Int {
        let offset = bytes.count
        bytes.append(contentsOf: source)
        return offset
    }

    public mutating func appendString(_ text: String) {
        // A native or small string shows its bytes in place; `withUTF8` wants a `var` copy (a retain and a release).
        if text.utf8.withContiguousStorageIfAvailable({ appendString($0) }) != nil { return }
        var text = text
        text.withUTF8 { appendString($0) }
    }

    /// Opens an array or object of `count` elements or members; returns the mark `endContainer` wants once
    /// they are appended (an object's as key, value, key, value...).
    public mutating func beginContainer(_ kind: JSONKind, count: Int) -> Int {
        precondition(kind == .array || kind == .object)
        nodes.append(Node(payload: 0, count: UInt32(truncatingIfNeeded: count), end: 0, kind: kind))
        return nodes.count - 1
    }

    /// Appends an array or object whose contents are the next nodes, up to node `end`: for a caller that copies
    /// a document already in this layout, node for node (a flat Lua value).
    public mutating func appendContainer(_ kind: JSONKind, count: Int, end: Int) {
        precondition(kind == .array || kind == .object)
        nodes.append(Node(payload: 0, count: UInt32(truncatingIfNeeded: count), end: UInt32(truncatingIfNeeded: end),
                          kind: kind))
    }

    public mutating func endContainer(_ mark: Int) {
        nodes[mark].end = UInt32(truncatingIfNeeded: nodes.count)
        nodes[mark].payload = 0  // the flags `keyRepeats` kept while the object was open
    }

    /// Ends a container whose count was not known when it was opened (a parser's).
    public mutating func endContainer(_ mark: Int, count: Int) {
        nodes[mark].count = UInt32(truncatingIfNeeded: count)
        endContainer(mark)
    }

    /// Sets the root object's member `key` to the string `value` when it is absent or null (how intake adds
    /// what the request says to an event). The root must be an object that spans the document.
    public mutating func fillRootMember(_ key: String, with value: String) {
        guard let first = nodes.first, first.kind == .object, Int(first.end) == nodes.count else { return }
        let existing = withRoot { $0.member(key)?.index } ?? nil
        if let existing {
            guard nodes[existing].kind == .null else { return }
            var value = value
            value.withUTF8 { utf8 in
                let offset = bytes.count
                bytes.append(contentsOf: utf8)
                nodes[existing] = Node(payload: UInt64(offset), count: UInt32(truncatingIfNeeded: utf8.count),
                                       end: UInt32(truncatingIfNeeded: existing + 1), kind: .string,
                                       isASCII: UTF8Bytes.isASCII(utf8))
            }
            return
        }
        appendString(key)
        appendString(value)
        nodes[0].count += 1
        nodes[0].end = UInt32(truncatingIfNeeded: nodes.count)
    }

    /// Whether `other` has the same nodes over the same bytes: the same document, read the same way (a script's
    /// unchanged config table, read again).
    public func isIdentical(to other: FlatJSON) -> Bool {
        guard nodes.count == other.nodes.count, bytes == other.bytes else { return false }
        for (a, b) in zip(nodes, other.nodes)
        where a.payload != b.payload || a.count != b.count || a.end != b.end || a.kind != b.kind || a.isASCII != b.isASCII {
            return false
        }
        return true
    }

    /// The value at node `index` as a document of its own.
    public func document(at index: Int) -> FlatJSON {
        var document = FlatJSON(nodeCapacity: Int(nodes[index].end) - index, byteCapacity: 0)
        document.append(self, nodes: index..<Int(nodes[index].end))
        return document
    }

    /// Says that the object opened at `object` may hold keys that are equal byte for byte (keys converted
    /// from numbers, say), so `keyRepeats` must compare every key.
    public mutating func keysMayRepeat(inObject object: Int) {
        nodes[object].payload |= Self.mayRepeatFlag
    }

    /// Whether the key at node `key`, a member of the object opened at `object` (not yet ended), could name the
    /// same `String` as an earlier key, so `keyRepeats` must look: byte-equal keys only when `keysMayRepeat` said
    /// so (Lua's string keys are distinct), canonically equal ones once some key is not ASCII.
    public mutating func keyMayRepeat(_ key: Int, inObject object: Int) -> Bool {
        if !nodes[key].isASCII { nodes[object].payload |= Self.notASCIIFlag }
        return nodes[object].payload != 0
    }

    /// Whether the key at node `key` names the same `String` as an earlier key of the object opened at
    /// `object`: a dictionary would hold one of them. Compares pairwise: for small objects.
    public func keyRepeats(_ key: Int, inObject object: Int) -> Bool {
        withRoot { root in
            let name = root.utf8(at: key)
            let ascii = root.nodes[key].isASCII
            var earlier = object + 1
            while earlier < key {
                let other = root.nodes[earlier]
                // ASCII keys of different lengths differ: most pairs end at this compare.
                if !(ascii && other.isASCII && other.count != UInt32(name.count)),
                    FlatJSON.sameKey(name, ascii, root.utf8(at: earlier), other.isASCII)
                {
                    return true
                }
                earlier = Int(root.nodes[earlier + 1].end)
            }
            return false
        } ?? false
    }

    /// One of 64 bits for the ASCII key at node `key`, by its length and three of its bytes: equal keys get
    /// the same bit, so a key whose bit an object has not seen repeats none of its ASCII keys. Nil when the key
    /// is not ASCII.
    func asciiKeyBit(_ key: Int) -> UInt64? {
        let node = nodes[key]
        guard node.isASCII else { return nil }
        return bytes.withUnsafeBufferPointer { all in
            Self.asciiKeyBit(of: UnsafeBufferPointer(rebasing: all[Int(node.payload)..<Int(node.payload) + Int(node.count)]))
        }
    }

    /// `asciiKeyBit` of a key's bytes.
    @inline(__always)
    static func asciiKeyBit(of key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let count = key.count
        var h = UInt64(count) &* 0x9E37_79B9_7F4A_7C15
        if count > 0 {
            h ^= UInt64(key[0]) &* 0xC2B2_AE3D_27D4_EB4F
            h ^= UInt64(key[count - 1]) &* 0x1656_67B1_9E37_79F9
            h ^= UInt64(key[count / 2]) &* 0x27D4_EB2F_1656_67C5
        }
        return 1 &<< (h >> 58)
    }

    /// The keys of the object opened at `object` that come before node `key`, as strings (whose hashing, like
    /// their `==`, respects canonical equivalence): for checking a large object's keys in a set.
    public func keys(ofObject object: Int, before key: Int) -> Set<String> {
        var keys = Set<String>()
        var earlier = object + 1
        while earlier < key {
            let offset = Int(nodes[earlier].payload)
            keys.insert(String(decoding: bytes[offset..<offset + Int(nodes[earlier].count)], as: UTF8.self))
            earlier = Int(nodes[earlier + 1].end)
        }
        return keys
    }

    /// The member count the object at `object` announced.
    public func memberCount(ofObject object: Int) -> Int { Int(nodes[object].count) }

    private static let mayRepeatFlag: UInt64 = 1
    private static let notASCIIFlag: UInt64 = 2

    /// Appends `other`'s root value (a copy of its nodes, rebased).
    public mutating func append(contentsOf other: FlatJSON) {
        append(other, nodes: 0..<other.nodes.count)
    }

    /// The document with the value at node `index` replaced by `other`'s root value.
    public func replacing(valueAt index: Int, with other: FlatJSON) -> FlatJSON {
        replacing(valueAt: index, reservingNodes: other.nodes.count, bytes: other.bytes.count) { result in
            result.appendRebased(other)
        }
    }

    /// The document with the value at node `index` replaced by the one value `write` appends to the document
    /// it is given, which then holds everything before that value (`write` appends as to any document): the
    /// value is written in place, not built apart and copied (`pinterest.send`'s hashed user data).
    /// `reservingNodes` and `bytes` are what `write` is expected to append, reserved up front.
    public func replacing<E: Error>(
        valueAt index: Int, reservingNodes extraNodes: Int, bytes extraBytes: Int,
        with write: (inout FlatJSON) throws(E) -> Void
    ) throws(E) -> FlatJSON {
        var result = FlatJSON()
        try replacing(valueAt: index, into: &result, reservingNodes: extraNodes, bytes: extraBytes, with: write)
        return result
    }

    /// As `replacing(valueAt:reservingNodes:bytes:with:)`, into `result`, which is emptied first but keeps its
    /// buffers: a caller that drops each result (`pinterest.send` once the sender has encoded it) reuses one
    /// document instead of allocating two large buffers a call.
    ///
    /// This document's bytes are copied whole, so its strings keep their offsets, and its nodes in two bulk
    /// copies, their ends moved by the difference in size. The span of the replaced value's strings is zeroed
    /// when no other string lies in it (strings read from Lua are laid out in document order; a GA4 event's
    /// keys share one block, and stay): what `pinterest.send` replaces is user data in plain text. When `write`
    /// throws, `result` holds no usable document.
    public func replacing<E: Error>(
        valueAt index: Int, into result: inout FlatJSON, reservingNodes extraNodes: Int, bytes extraBytes: Int,
        with write: (inout FlatJSON) throws(E) -> Void
    ) throws(E) {
        let removedEnd = Int(nodes[index].end)
        result.removeAll()
        result.bytes.reserveCapacity(bytes.count + max(extraBytes, 0))
        result.bytes.append(contentsOf: bytes)
        if let zeroed = zeroableSpan(ofValueAt: index) {
            result.bytes.withUnsafeMutableBufferPointer { all in
                if let base = all.baseAddress { (base + zeroed.lowerBound).update(repeating: 0, count: zeroed.count) }
            }
        }
        result.nodes.reserveCapacity(nodes.count - (removedEnd - index) + max(extraNodes, 0))
        result.nodes.append(contentsOf: nodes[..<index])
        try write(&result)
        // Containers that enclose the replaced value, and everything after it, end later (or earlier) by `shift`.
        let shift = result.nodes.count - removedEnd
        let suffixStart = result.nodes.count
        result.nodes.append(contentsOf: nodes[removedEnd...])
        result.nodes.withUnsafeMutableBufferPointer { all in
            // The nodes before `index` that end after it are its ancestors: walk down to it, skipping siblings.
            var i = 0
            while i < index {
                let end = Int(all[i].end)
                if end > index {
                    all[i].end = UInt32(truncatingIfNeeded: end + shift)
                    i += 1
                } else {
                    i = max(end, i + 1)  // a well-formed node ends after itself; never walk back on one that does not
                }
            }
            for j in suffixStart..<all.count { all[j].end = UInt32(truncatingIfNeeded: Int(all[j].end) + shift) }
        }
    }

    /// The byte span of the strings of the value at node `index`, when no string outside that value lies in it.
    private func zeroableSpan(ofValueAt index: Int) -> Range<Int>? {
        nodes.withUnsafeBufferPointer { all in
            let removedEnd = Int(all[index].end)
            var low = Int.max, high = 0
            for node in all[index..<removedEnd] where node.kind == .string {
                low = min(low, Int(node.payload))
                high = max(high, Int(node.payload) + Int(node.count))
            }
            guard low < high else { return nil }
            let span = low..<high
            func overlaps(_ node: Node) -> Bool {
                node.kind == .string && Int(node.payload) < span.upperBound && Int(node.payload) + Int(node.count) > span.lowerBound
            }
            if all[..<index].contains(where: overlaps) || all[removedEnd...].contains(where: overlaps) { return nil }
            return span
        }
    }

    /// Appends `other`'s root value with `other`'s bytes whole (its strings move by one amount), in bulk.
    private mutating func appendRebased(_ other: FlatJSON) {
        let byteBase = UInt64(bytes.count)
        bytes.append(contentsOf: other.bytes)
        let nodeBase = UInt32(truncatingIfNeeded: nodes.count)
        other.nodes.withUnsafeBufferPointer { source in
            appendNodes(count: source.count) { target in
                for i in 0..<source.count {
                    var node = source[i]
                    if node.kind == .string { node.payload += byteBase }
                    node.end &+= nodeBase
                    target[i] = node
                }
            }
        }
    }

    private mutating func append(_ other: FlatJSON, nodes range: Range<Int>) {
        let shift = nodes.count - range.lowerBound
        for i in range {
            var node = other.nodes[i]
            if node.kind == .string {
                node.payload = UInt64(bytes.count)
                bytes.append(contentsOf: other.string(at: i))
            }
            node.end = UInt32(Int(node.end) + shift)
            nodes.append(node)
        }
    }

    @inline(__always)
    private mutating func scalar(_ kind: JSONKind, _ payload: UInt64) {
        nodes.append(Node(payload: payload, count: 0, end: UInt32(truncatingIfNeeded: nodes.count + 1), kind: kind))
    }

    private func string(at index: Int) -> ArraySlice<UInt8> {
        let offset = Int(nodes[index].payload)
        return bytes[offset..<offset + Int(nodes[index].count)]
    }
}

extension FlatJSON.Node {
    /// A node as a copier in this layout writes it (`FlatJSON.appendNodes`); only this package's modules, which
    /// keep the layout's invariants, write nodes.
    package init(kind: JSONKind, payload: UInt64, count: UInt32, end: UInt32, isASCII: Bool) {
        self.init(payload: payload, count: count, end: end, kind: kind, isASCII: isASCII)
    }
}
