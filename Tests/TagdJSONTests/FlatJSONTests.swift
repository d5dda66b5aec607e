import TestRandom
import TagdJSON
import Testing

/// `FlatJSON` must read, compare and encode exactly as the `JSONValue` tree it was made from.
@Suite struct FlatJSONTests {
    @Test func generatedTreesRoundTripAndEncodeTheSame() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            let tree = Self.tree(&generator, depth: 0)
            let flat = FlatJSON(tree)
            #expect(flat.jsonValue == tree, "\(tree.encodedString())")
            #expect(flat.encoded() == tree.encoded(), "\(tree.encodedString())")
            #expect(flat.withRoot { $0.isEqual(to: tree) } == true)
            #expect(flat.withRoot(\.kind) == tree.kind)
        }
    }

    @Test func keysSortAsStringsDo() {
        // Non-ASCII keys, one decomposed (e + U+0301), ASCII neighbours and an empty key.
        let tree: JSONValue = ["é": 1, "e\u{301}x": 2, "f": 3, "E": 4, "": 5, "zz": 6, "Ω": 7, "\u{212A}": 8]
        #expect(FlatJSON(tree).encoded() == tree.encoded())
    }

    @Test func keysSharingTheirFirstEightBytesSortAsStringsDo() {
        // Small objects compare eight-byte prefixes first: keys equal that far, padded with NUL, or shorter.
        var generator = SplitMix64(seed: 8)
        let stems = ["client_i", "client_user", "", "a", "a\u{0}", "a\u{0}\u{0}", "contents", "content_ids", "é", "\u{212A}"]
        for _ in 0..<500 {
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int(generator.next() % 30) {
                let stem = stems[Int(generator.next() % UInt64(stems.count))]
                let tail = ["", "p", "p_address", "\u{0}", "z", "é"][Int(generator.next() % 6)]
                members[stem + tail] = .int(Int64(generator.next() % 100))
            }
            let tree = JSONValue.object(members)
            #expect(FlatJSON(tree).encoded() == tree.encoded(), "\(tree.encodedString())")
        }
    }

    @Test func largeObjectsEncodeSortedToo() {
        var members: [String: JSONValue] = [:]
        for i in 0..<500 { members["key\(i * 7919 % 1000)é\(i % 3)"] = .int(Int64(i)) }
        let tree = JSONValue.object(members)
        #expect(FlatJSON(tree).encoded() == tree.encoded())
    }

    @Test func stringsCompareAsStringsDo() {
        let flat = FlatJSON("\u{212A}elvin")  // KELVIN SIGN: canonically equal to "K"
        #expect(flat.withRoot { $0.isEqual(to: "Kelvin") } == true)
        #expect(FlatJSON("abc").withRoot { $0.isEqual(to: "abd") } == false)
        #expect(FlatJSON(1).withRoot { $0.isEqual(to: .double(1)) } == false)
    }

    @Test func memberLookupAndReplacement() throws {
        let tree: JSONValue = ["a": [1, 2, ["x": "y"]], "user_data": ["em": "plain", "ph": [1, 2]], "z": "end"]
        let flat = FlatJSON(tree)
        let index = try #require(flat.withRoot { $0.member("user_data")?.index } ?? nil)
        #expect(flat.withRoot { $0.member("missing") == nil } == true)
        let replaced = flat.replacing(valueAt: index, with: FlatJSON(["em": ["h1", "h2"]]))
        var expected = try #require(tree.objectValue)
        expected["user_data"] = ["em": ["h1", "h2"]]
        #expect(replaced.jsonValue == .object(expected))
        #expect(replaced.encoded() == JSONValue.object(expected).encoded())
        // The replaced value's text is gone from the bytes, not just unreferenced (it is user data in the clear).
        #expect(!replaced.bytes.indices.contains { replaced.bytes[$0...].starts(with: Array("plain".utf8)) })
        // A longer replacement, too.
        let longer = flat.replacing(valueAt: index, with: FlatJSON(["em": ["h1"], "ph": ["h2", "h3", "h4"], "fn": ["q"]]))
        expected["user_data"] = ["em": ["h1"], "ph": ["h2", "h3", "h4"], "fn": ["q"]]
        #expect(longer.jsonValue == .object(expected))
    }

    /// Any value of generated documents (parsed, so strings point into the source bytes, or built) replaced by
    /// another generated one reads and encodes as the tree with that value replaced.
    @Test func generatedReplacementsReadAsTheReplacedTree() throws {
        var generator = SplitMix64(seed: 23)
        for round in 0..<600 {
            let tree = Self.tree(&generator, depth: 0)
            let flat = round % 2 == 0 ? FlatJSON(tree) : try FlatJSON.parse(tree.encoded())
            let other = Self.tree(&generator, depth: 2)
            let index = Int(generator.next() % UInt64(flat.nodes.count))
            guard flat.withNode(index, { Self.isValue($0, in: flat) }) == true else { continue }
            let replacement = round % 3 == 0 ? try FlatJSON.parse(other.encoded()) : FlatJSON(other)
            let replaced = flat.replacing(valueAt: index, with: replacement)
            let expected = try #require(flat.withRoot { Self.tree($0, replacing: index, with: replacement.jsonValue) })
            #expect(replaced.jsonValue == expected, "\(tree.encodedString()) at \(index)")
            #expect(replaced.encoded() == expected.encoded())
        }
    }

    /// Strings that share bytes (a GA4 event's keys share one block) are not zeroed by replacing one of them.
    @Test func replacingKeepsBytesOtherStringsShare() throws {
        var flat = FlatJSON()
        let shared = Array("abxy".utf8)
        _ = shared.withUnsafeBufferPointer { flat.appendSource($0) }
        let object = flat.beginContainer(.object, count: 2)
        flat.appendString(at: 0, count: 1, isASCII: true)  // "a"
        flat.appendString(at: 2, count: 2, isASCII: true)  // "xy"
        flat.appendString(at: 1, count: 1, isASCII: true)  // "b"
        flat.appendString(at: 2, count: 2, isASCII: true)  // "xy", the same bytes
        flat.endContainer(object)
        #expect(flat.jsonValue == ["a": "xy", "b": "xy"])
        let replaced = flat.replacing(valueAt: 2, with: FlatJSON("new"))
        #expect(replaced.jsonValue == ["a": "new", "b": "xy"])
    }

    /// Whether node `value.index` is a value (not an object's key).
    static func isValue(_ value: FlatJSON.Value, in flat: FlatJSON) -> Bool {
        var keys = Set<Int>()
        func walk(_ v: FlatJSON.Value) {
            _ = v.allElements { walk($0); return true }
            var key = v.index + 1
            _ = v.allMembers { _, member in
                keys.insert(key)
                walk(member)
                key = member.subtreeEnd
                return true
            }
        }
        flat.withRoot(walk)
        return !keys.contains(value.index)
    }

    static func tree(_ value: FlatJSON.Value, replacing index: Int, with other: JSONValue) -> JSONValue {
        if value.index == index { return other }
        switch value.kind {
        case .array:
            var items: [JSONValue] = []
            _ = value.allElements { items.append(tree($0, replacing: index, with: other)); return true }
            return .array(items)
        case .object:
            var fields: [String: JSONValue] = [:]
            _ = value.allMembers { key, member in
                fields[String(decoding: key, as: UTF8.self)] = tree(member, replacing: index, with: other)
                return true
            }
            return .object(fields)
        default:
            return value.jsonValue
        }
    }

    /// Keys checked as the Lua reader checks them: after each member, while the object is open.
    func repeats(_ keys: [String], mayRepeat: Bool) -> [Bool] {
        var flat = FlatJSON()
        let object = flat.beginContainer(.object, count: keys.count)
        if mayRepeat { flat.keysMayRepeat(inObject: object) }
        var found: [Bool] = []
        for key in keys {
            let index = flat.nodes.count
            flat.appendString(key)
            flat.appendNull()
            found.append(flat.keyMayRepeat(index, inObject: object) && flat.keyRepeats(index, inObject: object))
        }
        flat.endContainer(object)
        return found
    }

    @Test func repeatedKeysAreFoundUpToCanonicalEquivalence() {
        #expect(repeats(["é", "a", "e\u{301}"], mayRepeat: false) == [false, false, true])
        #expect(repeats(["K", "x", "\u{212A}"], mayRepeat: false) == [false, false, true])
        #expect(repeats(["1", "b", "1"], mayRepeat: true) == [false, false, true])
        #expect(repeats(["1", "b", "c"], mayRepeat: true) == [false, false, false])
        // Without the flag, ASCII keys are taken as distinct (Lua string keys are), so none is compared.
        #expect(repeats(["a", "b", "c"], mayRepeat: false) == [false, false, false])
    }

    /// Random JSON: every kind of scalar, strings that need escaping, nested containers, empty ones.
    static func tree(_ g: inout SplitMix64, depth: Int) -> JSONValue {
        let strings = ["", "plain", "é", "quote\"back\\slash", "line\nbreak\u{1}", "Shop 🙂", "e\u{301}", "Z"]
        switch g.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(g.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: g.next()) >> (g.next() % 64))
        case 3:
            let doubles = [0.5, 72.39, 1e15, 1e16, -0.0, 3.0, .infinity, 1e-7, Double(g.next() % 100_000) / 7]
            return .double(doubles[Int(g.next() % UInt64(doubles.count))])
        case 4: return .string(strings[Int(g.next() % UInt64(strings.count))])
        case 5: return .array((0..<Int(g.next() % 4)).map { _ in tree(&g, depth: depth + 1) })
        default:
            var fields: [String: JSONValue] = [:]
            for _ in 0..<Int(g.next() % 6) {
                fields[strings[Int(g.next() % UInt64(strings.count))] + "\(g.next() % 9)"] = tree(&g, depth: depth + 1)
            }
            return .object(fields)
        }
    }
}

