extension FlatJSON {
    /// One value of a document, read in place: two base pointers and an index, so walking costs no reference
    /// counting. Valid only inside the `withRoot` call that made it.
    public struct Value {
        let nodes: UnsafeBufferPointer<Node>
        let bytes: UnsafeBufferPointer<UInt8>
        /// The node's index in the document (for `replacing(valueAt:with:)`).
        public let index: Int

        @inline(__always)
        var node: Node { nodes[index] }

        /// The value at node `index` of the same document: with `subtreeEnd`, a walk over the nodes in document
        /// order without a closure per child (a container's node is followed by its children, an object's as key,
        /// value, key, value...).
        @inline(__always)
        public func at(_ index: Int) -> Value { Value(nodes: nodes, bytes: bytes, index: index) }

        /// The index after this value's subtree: its next sibling's node.
        @inline(__always)
        public var subtreeEnd: Int { Int(node.end) }

        /// The bytes of the string (or key) at node `index`, valid as long as this value.
        @inline(__always)
        public func utf8(at index: Int) -> UnsafeBufferPointer<UInt8> {
            let offset = Int(nodes[index].payload)
            return UnsafeBufferPointer(rebasing: bytes[offset..<offset + Int(nodes[index].count)])
        }

        /// The member named `name` of an object (nil when absent or not an object).
        public func member(_ name: String) -> Value? {
            guard kind == .object else { return nil }
            // A native or small string (every literal, every key read from a document) shows its bytes in place;
            // `withUTF8` needs a `var` copy of it, a retain and a release per lookup.
            if let found = name.utf8.withContiguousStorageIfAvailable({ member(utf8: $0) }) { return found }
            var name = name
            return name.withUTF8 { member(utf8: $0) }
        }

        /// The member whose key is `name`'s bytes.
        /// An ASCII key of another length than an ASCII name is another key: most keys are passed over on that
        /// one compare of the node, without reading their bytes.
        @inline(__always)
        func member(utf8 name: UnsafeBufferPointer<UInt8>) -> Value? {
            let nameIsASCII = UTF8Bytes.isASCII(name)
            let nameCount = UInt32(truncatingIfNeeded: name.count)
            var key = index + 1
            var remaining = node.count
            while remaining > 0 {
                let keyNode = nodes[key]
                if !(nameIsASCII && keyNode.isASCII && keyNode.count != nameCount),
                    FlatJSON.sameKey(utf8(at: key), keyNode.isASCII, name, nameIsASCII)
                {
                    return at(key + 1)
                }
                key = Int(nodes[key + 1].end)
                remaining -= 1
            }
            return nil
        }
    }

    /// Calls `body` with the document's root value; nil for an empty document.
    public func withRoot<R, E: Error>(_ body: (Value) throws(E) -> R) throws(E) -> R? {
        guard !nodes.isEmpty else { return nil }
        let result = nodes.withUnsafeBufferPointer { nodes in
            bytes.withUnsafeBufferPointer { bytes in
                Result { () throws(E) -> R in try body(Value(nodes: nodes, bytes: bytes, index: 0)) }
            }
        }
        return try result.get()
    }

    /// Calls `body` with the value at node `index`.
    public func withNode<R>(_ index: Int, _ body: (Value) -> R) -> R? {
        guard index < nodes.count else { return nil }
        return withRoot { body($0.at(index)) }
    }

    /// The root as a tree (`.null` for an empty document).
    public var jsonValue: JSONValue { withRoot(\.jsonValue) ?? .null }

    /// What `JSONValue.encoded()` writes for the root.
    public func encoded() -> [UInt8] {
        var out = JSONOutput(capacity: 256)
        withRoot { $0.write(to: &out) }
        return out.bytes
    }
}

extension FlatJSON.Value: JSONReadable {
    public var kind: JSONKind { node.kind }

    public var boolValue: Bool? { kind == .bool ? node.payload != 0 : nil }

    public var intValue: Int64? { kind == .int ? Int64(bitPattern: node.payload) : nil }

    public var doubleValue: Double? { kind == .double ? Double(bitPattern: node.payload) : nil }

    public var itemCount: Int { kind == .array || kind == .object ? Int(node.count) : 0 }

    public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        kind == .string ? body(utf8(at: index)) : nil
    }

    public func allElements(_ body: (FlatJSON.Value) -> Bool) -> Bool {
        guard kind == .array else { return true }
        var child = index + 1
        for _ in 0..<node.count {
            if !body(at(child)) { return false }
            child = Int(nodes[child].end)
        }
        return true
    }

    public func allMembers(_ body: (UnsafeBufferPointer<UInt8>, FlatJSON.Value) -> Bool) -> Bool {
        guard kind == .object else { return true }
        var key = index + 1
        for _ in 0..<node.count {
            if !body(utf8(at: key), at(key + 1)) { return false }
            key = Int(nodes[key + 1].end)
        }
        return true
    }

    public func allMembersSorted(_ body: (UnsafeBufferPointer<UInt8>, FlatJSON.Value) -> Bool) -> Bool {
        guard kind == .object else { return true }
        let count = Int(node.count)
        // Key node indices, sorted: by insertion in a stack buffer for small objects (an event's), by
        // `sort` for large ones.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { sorted in
            // Small objects: each key's first eight bytes as a big-endian number (nil unless ASCII), so most
            // compares are one integer compare.
            withUnsafeTemporaryAllocation(of: UInt64?.self, capacity: count <= 32 ? count : 0) { prefixes in
                var key = index + 1
                for n in 0..<count {
                    guard count <= 32 else {
                        sorted[n] = key
                        key = Int(nodes[key + 1].end)
                        continue
                    }
                    let prefix = asciiPrefix(key)
                    var j = n
                    while j > 0 {
                        let other = prefixes[j - 1]
                        if let prefix, let other, prefix != other {
                            if prefix > other { break }
                        } else if !precedes(key, sorted[j - 1]) {
                            break
                        }
                        sorted[j] = sorted[j - 1]
                        prefixes[j] = other
                        j -= 1
                    }
                    sorted[j] = key
                    prefixes[j] = prefix
                    key = Int(nodes[key + 1].end)
                }
            }
            if count > 32 {
                var buffer = sorted
                buffer.sort { precedes($0, $1) }
            }
            for key in sorted where !body(utf8(at: key), at(key + 1)) { return false }
            return true
        }
    }

    public func write(to out: inout JSONOutput) {
        switch kind {
        case .null: out.append("null")
        case .bool: out.append(node.payload != 0 ? "true" : "false")
        case .int: JSONWriter.writeInteger(Int64(bitPattern: node.payload), to: &out)
        case .double: JSONWriter.writeDouble(Double(bitPattern: node.payload), to: &out)
        case .string: JSONWriter.writeString(utf8: utf8(at: index), to: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            var first = true
            _ = allElements { element in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                element.write(to: &out)
                return true
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            var first = true
            _ = allMembersSorted { key, value in
                JSONWriter.writeKey(utf8: key, first: first, to: &out)
                first = false
                value.write(to: &out)
                return true
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public func isEqual(to value: JSONValue) -> Bool {
        switch (kind, value) {
        case (.null, .null): return true
        case (.bool, .bool(let b)): return boolValue == b
        case (.int, .int(let i)): return intValue == i
        case (.double, .double(let d)): return doubleValue == d
        case (.string, .string(let text)):
            let own = utf8(at: index), ownASCII = node.isASCII
            // A native or small string shows its bytes in place; `withUTF8` wants a `var` copy (a retain and a release).
            let inPlace = text.utf8.withContiguousStorageIfAvailable { FlatJSON.sameKey(own, ownASCII, $0, UTF8Bytes.isASCII($0)) }
            if let inPlace { return inPlace }
            var text = text
            return text.withUTF8 { FlatJSON.sameKey(own, ownASCII, $0, UTF8Bytes.isASCII($0)) }
        case (.array, .array), (.object, .object): return jsonValue == value
        default: return false
        }
    }

    public var jsonValue: JSONValue {
        switch kind {
        case .null: return .null
        case .bool: return .bool(node.payload != 0)
        case .int: return .int(Int64(bitPattern: node.payload))
        case .double: return .double(Double(bitPattern: node.payload))
        case .string: return .string(String(decoding: utf8(at: index), as: UTF8.self))
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(itemCount)
            _ = allElements { elements.append($0.jsonValue); return true }
            return .array(elements)
        case .object:
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(itemCount)
            _ = allMembers { key, value in
                members[String(decoding: key, as: UTF8.self)] = value.jsonValue
                return true
            }
            return .object(members)
        }
    }
}

extension FlatJSON.Value {
    /// The first eight bytes of the ASCII key at node `key`, big-endian and zero-padded: two keys whose
    /// prefixes differ sort as their prefixes do (equal prefixes say nothing). Nil for a key that is not ASCII.
    @inline(__always)
    func asciiPrefix(_ key: Int) -> UInt64? {
        guard nodes[key].isASCII else { return nil }
        let name = utf8(at: key)
        var prefix: UInt64 = 0
        for i in 0..<8 { prefix = prefix << 8 | UInt64(i < name.count ? name[i] : 0) }
        return prefix
    }

    /// Whether the key at node `a` sorts before the one at `b` as `String`'s `<` has it: byte order for
    /// ASCII; Swift compares canonical forms, so other text is compared as strings.
    @inline(__always)
    func precedes(_ a: Int, _ b: Int) -> Bool {
        if nodes[a].isASCII && nodes[b].isASCII { return UTF8Bytes.precedes(utf8(at: a), utf8(at: b)) }
        return String(decoding: utf8(at: a), as: UTF8.self) < String(decoding: utf8(at: b), as: UTF8.self)
    }
}

extension FlatJSON {
    /// Whether two keys name the same `String` (canonical equivalence, as a dictionary has it).
    @inline(__always)
    static func sameKey(
        _ a: UnsafeBufferPointer<UInt8>, _ aIsASCII: Bool, _ b: UnsafeBufferPointer<UInt8>, _ bIsASCII: Bool
    ) -> Bool {
        if UTF8Bytes.equal(a, b) { return true }
        if aIsASCII && bIsASCII { return false }
        return String(decoding: a, as: UTF8.self) == String(decoding: b, as: UTF8.self)
    }
}
