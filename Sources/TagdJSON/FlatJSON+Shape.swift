extension FlatJSON {
    /// The shape of a value: each node's kind, the item counts of containers and the keys of objects; not the
    /// content of its strings, numbers and booleans. Values of one shape (a tag builds its events with one
    /// constructor, hit after hit) are written from one plan, made with the shape: the members already in
    /// `encoded()`'s order, and every key and bracket already text, so writing copies that text and formats
    /// only the scalars.
    public struct Shape: Sendable {
        /// Per node, in document order: its kind, a key bit, and a container's count or a key's length.
        private let skeleton: [UInt32]
        /// The keys' bytes, in document order.
        private let keys: [UInt8]
        /// The text between scalars, in writing order.
        private let text: [UInt8]
        /// Per scalar in writing order: where its preceding text ends in `text`, and its node (from the root).
        private let steps: [(textEnd: Int, node: Int)]

        /// The value's node count.
        public var nodeCount: Int { skeleton.count }

        /// The shape of `value`; nil when a count exceeds what the shape records (2^24).
        public init?(of value: Value) {
            var skeleton: [UInt32] = []
            var keys: [UInt8] = []
            skeleton.reserveCapacity(value.subtreeEnd - value.index)
            guard Self.describe(value, into: &skeleton, keys: &keys) else { return nil }
            var plan = Plan(root: value.index)
            plan.add(value)
            (text, steps) = plan.finish()
            self.skeleton = skeleton
            self.keys = keys
        }

        private static let keyBit: UInt32 = 0x80

        private static func describe(_ value: Value, into skeleton: inout [UInt32], keys: inout [UInt8]) -> Bool {
            guard value.itemCount < 1 << 24 else { return false }
            skeleton.append(UInt32(value.kind.rawValue) | UInt32(value.itemCount) << 8)
            switch value.kind {
            case .array:
                return value.allElements { describe($0, into: &skeleton, keys: &keys) }
            case .object:
                return value.allMembers { key, member in
                    guard key.count < 1 << 24 else { return false }
                    skeleton.append(UInt32(JSONKind.string.rawValue) | keyBit | UInt32(key.count) << 8)
                    keys.append(contentsOf: key)
                    return describe(member, into: &skeleton, keys: &keys)
                }
            default:
                return true
            }
        }

        /// Whether `value` has this shape: one pass over its nodes.
        public func matches(_ value: Value) -> Bool {
            guard value.subtreeEnd - value.index == skeleton.count else { return false }
            let nodes = UnsafeBufferPointer(rebasing: value.nodes[value.index..<value.subtreeEnd])
            return skeleton.withUnsafeBufferPointer { skeleton in
                keys.withUnsafeBufferPointer { keys in
                    var keyOffset = 0
                    for i in 0..<skeleton.count {
                        let expected = skeleton[i], node = nodes[i]
                        guard UInt32(node.kind.rawValue) == expected & 0x7F else { return false }
                        if expected & Self.keyBit != 0 {
                            let count = Int(expected >> 8)
                            guard Int(node.count) == count, keyOffset + count <= keys.count else { return false }
                            let start = Int(node.payload)
                            guard UTF8Bytes.equal(
                                UnsafeBufferPointer(rebasing: value.bytes[start..<start + count]),
                                UnsafeBufferPointer(rebasing: keys[keyOffset..<keyOffset + count]))
                            else { return false }
                            keyOffset += count
                        } else if node.kind == .array || node.kind == .object {
                            guard node.count == expected >> 8 else { return false }
                        }
                    }
                    return true
                }
            }
        }

        /// Appends what `value.write(to:)` appends; `value` must have this shape (`matches`).
        public func write(_ value: Value, to out: inout JSONOutput) {
            assert(matches(value), "a value written from a shape it does not have")
            text.withUnsafeBufferPointer { text in
                var textStart = 0
                for step in steps {
                    out.append(UnsafeBufferPointer(rebasing: text[textStart..<step.textEnd]))
                    textStart = step.textEnd
                    if step.node >= 0 { value.at(value.index + step.node).write(to: &out) }
                }
            }
        }

        /// The writing plan, made by writing the value once: text up to each scalar, then the scalar's node.
        private struct Plan: ~Copyable {
            let root: Int
            var text = JSONOutput(capacity: 512)
            var steps: [(textEnd: Int, node: Int)] = []

            init(root: Int) { self.root = root }

            mutating func add(_ value: Value) {
                switch value.kind {
                case .array:
                    text.append(UInt8(ascii: "["))
                    var first = true
                    _ = value.allElements { element in
                        if !first { text.append(UInt8(ascii: ",")) }
                        first = false
                        add(element)
                        return true
                    }
                    text.append(UInt8(ascii: "]"))
                case .object:
                    text.append(UInt8(ascii: "{"))
                    var first = true
                    _ = value.allMembersSorted { key, member in
                        JSONWriter.writeKey(utf8: key, first: first, to: &text)
                        first = false
                        add(member)
                        return true
                    }
                    text.append(UInt8(ascii: "}"))
                case .null:
                    text.append("null")  // the kind is the shape's, so is its text
                default:
                    steps.append((text.count, value.index - root))
                }
            }

            consuming func finish() -> (text: [UInt8], steps: [(textEnd: Int, node: Int)]) {
                (text.bytes, steps + [(text.count, -1)])
            }
        }
    }
}
