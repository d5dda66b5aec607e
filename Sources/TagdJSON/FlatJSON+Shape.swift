extension FlatJSON {
    /// The shape of a value: each node's kind, the item counts of containers and the keys of objects; not the
    /// content of its strings, numbers and booleans. Values of one shape (a tag builds its events with one
    /// constructor, hit after hit) are written from one plan, made with the shape: the members already in
    /// `encoded()`'s order, and every key, bracket and string quote already text, so writing copies that text
    /// and formats only the scalars.
    public struct Shape: Sendable {
        private let storage: Storage

        /// The value's node count.
        public var nodeCount: Int { storage.expected.count }

        /// The shape of `value`; nil when a count exceeds what the shape records (2^24).
        ///
        /// `plainStrings` are nodes (from the value's root) whose strings the caller proves, before every
        /// `write`, need no escape (it checked them to be SHA-256 hex, say): they are copied without a scan.
        public init?(of value: Value, plainStrings: [Int] = []) {
            var expected: [Expected] = []
            var keyWords: [UInt64] = []
            expected.reserveCapacity(value.subtreeEnd - value.index)
            guard Self.describe(value, into: &expected, keyWords: &keyWords) else { return nil }
            var plan = Plan(root: value.index, plainStrings: Set(plainStrings))
            plan.add(value)
            let (text, steps) = plan.finish()
            storage = Storage(expected: expected, keyWords: keyWords, text: text, steps: steps)
        }

        /// What a node must have to match: its kind, and for a container or key its count (`countMask` is 0
        /// where the count is a scalar's own: a string's length); a key also its bytes.
        struct Expected {
            var kind: JSONKind
            var countMask: UInt32
            var count: UInt32
            /// The key's first word in `keyWords`; -1 when the node is not a key.
            var keyWord: Int32
        }

        /// One scalar of the plan, after the text before it.
        struct Step {
            var textEnd: Int
            /// The node, from the root; -1 for the end of the plan.
            var node: Int
            var kind: JSONKind
            /// A string the caller proves needs no escape (`plainStrings`).
            var plain: Bool
        }

        /// The plan in buffers allocated once and never changed, read through plain pointers: reading arrays
        /// kept in a struct retained each one on every use, in the loops of `matches` and `write`.
        private final class Storage: @unchecked Sendable {
            let expected: UnsafeMutableBufferPointer<Expected>
            /// Each key's bytes in little-endian words, the last one zero-padded.
            let keyWords: UnsafeMutableBufferPointer<UInt64>
            /// Padded with 8 bytes, so that it is copied a word at a time.
            let text: UnsafeMutableBufferPointer<UInt8>
            let steps: UnsafeMutableBufferPointer<Step>

            init(expected: [Expected], keyWords: [UInt64], text: [UInt8], steps: [Step]) {
                self.expected = .allocate(capacity: expected.count)
                _ = self.expected.initialize(from: expected)
                self.keyWords = .allocate(capacity: max(keyWords.count, 1))
                _ = self.keyWords.initialize(from: keyWords)
                self.text = .allocate(capacity: text.count + 8)
                _ = self.text.initialize(from: text + repeatElement(0, count: 8))
                self.steps = .allocate(capacity: steps.count)
                _ = self.steps.initialize(from: steps)
            }

            deinit {
                expected.deallocate()
                keyWords.deallocate()
                text.deallocate()
                steps.deallocate()
            }
        }

        private static func describe(_ value: Value, into expected: inout [Expected], keyWords: inout [UInt64]) -> Bool {
            guard value.itemCount < 1 << 24 else { return false }
            let counted = value.kind == .array || value.kind == .object
            expected.append(Expected(kind: value.kind, countMask: counted ? .max : 0,
                                     count: counted ? UInt32(value.itemCount) : 0, keyWord: -1))
            switch value.kind {
            case .array:
                return value.allElements { describe($0, into: &expected, keyWords: &keyWords) }
            case .object:
                return value.allMembers { key, member in
                    guard key.count < 1 << 24, keyWords.count < Int(Int32.max) else { return false }
                    expected.append(Expected(kind: .string, countMask: .max, count: UInt32(key.count),
                                             keyWord: Int32(keyWords.count)))
                    var offset = 0
                    while offset < key.count {
                        var word: UInt64 = 0
                        for i in offset..<min(offset + 8, key.count) { word |= UInt64(key[i]) << (8 * (i - offset)) }
                        keyWords.append(word)
                        offset += 8
                    }
                    return describe(member, into: &expected, keyWords: &keyWords)
                }
            default:
                return true
            }
        }

        /// Whether `value` has this shape: one pass over its nodes.
        public func matches(_ value: Value) -> Bool {
            let expected = storage.expected
            guard value.subtreeEnd - value.index == expected.count, let first = value.nodes.baseAddress else {
                return false
            }
            let nodes = first + value.index
            for i in 0..<expected.count {
                let e = expected[i], node = nodes[i]
                guard node.kind == e.kind, node.count & e.countMask == e.count else { return false }
                if e.keyWord >= 0, !keyMatches(value.bytes, at: Int(node.payload), count: Int(e.count), Int(e.keyWord)) {
                    return false
                }
            }
            return true
        }

        /// Whether the `count` bytes at `offset` in `bytes` are the key whose words start at `keyWords[word]`:
        /// a word compare per 8 bytes, not a byte loop (keys are most of a shape's nodes).
        @inline(__always)
        private func keyMatches(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, count: Int, _ word: Int) -> Bool {
            guard let base = bytes.baseAddress, offset + count <= bytes.count else { return count == 0 }
            let source = UnsafeRawPointer(base + offset), words = storage.keyWords
            var done = 0, w = word
            while done + 8 <= count {
                guard UInt64(littleEndian: source.loadUnaligned(fromByteOffset: done, as: UInt64.self)) == words[w]
                else { return false }
                done += 8
                w += 1
            }
            let rest = count - done
            guard rest > 0 else { return true }
            var tail: UInt64 = 0
            if offset + done + 8 <= bytes.count {
                // The word reaches past the key, still inside the buffer: mask off what follows.
                tail = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: done, as: UInt64.self))
                tail &= (1 &<< UInt64(8 * rest)) &- 1
            } else {
                for i in 0..<rest { tail |= UInt64(source.load(fromByteOffset: done + i, as: UInt8.self)) << (8 * i) }
            }
            return tail == words[w]
        }

        /// Appends what `value.write(to:)` appends; `value` must have this shape (`matches`), and its
        /// `plainStrings` must need no escape.
        public func write(_ value: Value, to out: inout JSONOutput) {
            assert(matches(value), "a value written from a shape it does not have")
            let text = storage.text, steps = storage.steps
            guard let textBase = text.baseAddress else { return }
            var textStart = 0
            for step in steps {
                let textEnd = step.textEnd
                out.appendWords(from: textBase + textStart, count: textEnd - textStart)
                textStart = textEnd
                guard step.node >= 0 else { break }
                let node = value.at(value.index + step.node)
                switch step.kind {
                case .string:
                    let utf8 = node.utf8(at: node.index)
                    if step.plain {
                        assert(!JSONWriter.needsEscape(utf8), "a plain string that needs an escape")
                        out.appendWords(from: utf8, within: value.bytes)
                    } else {
                        JSONWriter.writeStringContent(utf8: utf8, within: value.bytes, to: &out)
                    }
                default:
                    node.write(to: &out)
                }
            }
        }

        /// The writing plan, made by writing the value once: text up to each scalar, then the scalar's node.
        /// A string's quotes are in the text.
        private struct Plan: ~Copyable {
            let root: Int
            let plainStrings: Set<Int>
            var text = JSONOutput(capacity: 512)
            var steps: [Step] = []

            init(root: Int, plainStrings: Set<Int>) {
                self.root = root
                self.plainStrings = plainStrings
            }

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
                case .string:
                    text.append(UInt8(ascii: "\""))
                    let node = value.index - root
                    steps.append(Step(textEnd: text.count, node: node, kind: .string,
                                      plain: plainStrings.contains(node)))
                    text.append(UInt8(ascii: "\""))
                default:
                    steps.append(Step(textEnd: text.count, node: value.index - root, kind: value.kind,
                                      plain: false))
                }
            }

            consuming func finish() -> (text: [UInt8], steps: [Step]) {
                (text.bytes, steps + [Step(textEnd: text.count, node: -1, kind: .null, plain: false)])
            }
        }
    }
}
