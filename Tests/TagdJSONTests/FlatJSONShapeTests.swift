import TestRandom
import TagdJSON
import Testing

/// `FlatJSON.Shape`: a value matches the shape of another exactly when the two have the same kinds, counts and
/// keys in document order, and a value written from its shape's plan reads as `write(to:)` writes it.
@Suite struct FlatJSONShapeTests {
    /// The shape as a text, in document order, from the public walk: the oracle for `matches`.
    static func outline(_ value: FlatJSON.Value) -> String {
        switch value.kind {
        case .array:
            var parts: [String] = []
            _ = value.allElements { parts.append(outline($0)); return true }
            return "[\(parts.joined(separator: ","))]"
        case .object:
            var parts: [String] = []
            _ = value.allMembers { key, member in
                parts.append("\(Array(key)):\(outline(member))")
                return true
            }
            return "{\(parts.joined(separator: ","))}"
        default:
            return value.kind.name
        }
    }

    /// The same tree with every scalar replaced by another of its kind (containers keep their layout).
    static func revalued(_ tree: JSONValue, _ g: inout SplitMix64) -> JSONValue {
        let strings = ["", "other", "ü", "tab\there", "\"", "\u{7F}\u{1F}", String(repeating: "x", count: 70)]
        switch tree {
        case .null: return .null
        case .bool: return .bool(g.next() % 2 == 0)
        case .int: return .int(Int64(bitPattern: g.next()) >> (g.next() % 64))
        case .double: return .double([0.25, 19.99, 2.0, -1e300, .nan, 1e15][Int(g.next() % 6)])
        case .string: return .string(strings[Int(g.next() % UInt64(strings.count))])
        case .array(let elements): return .array(elements.map { revalued($0, &g) })
        case .object(let members): return .object(members.mapValues { revalued($0, &g) })
        }
    }

    @Test func aValueOfTheSameShapeMatchesAndIsWrittenAsItsOwnWriterWrites() throws {
        var g = SplitMix64(seed: 29)
        var matched = 0
        for _ in 0..<2_000 {
            let tree = FlatJSONTests.tree(&g, depth: 0)
            let flat = FlatJSON(tree)
            let shape = try #require(flat.withRoot { FlatJSON.Shape(of: $0) } ?? nil)
            #expect(shape.nodeCount == flat.nodes.count)
            for _ in 0..<3 {
                let other = FlatJSON(Self.revalued(tree, &g))
                let same = try #require(flat.withRoot(Self.outline)) == other.withRoot(Self.outline)
                #expect(other.withRoot(shape.matches) == same, "\(tree.encodedString())")
                guard same else { continue }  // a dictionary laid out anew: a different document order
                matched += 1
                var out = JSONOutput()
                other.withRoot { shape.write($0, to: &out) }
                #expect(out.bytes == other.encoded(), "\(other.jsonValue.encodedString())")
            }
        }
        #expect(matched > 5_000)
    }

    @Test func aDifferentShapeDoesNotMatch() throws {
        var g = SplitMix64(seed: 31)
        var outcomes = (matched: 0, refused: 0)
        for _ in 0..<3_000 {
            let a = FlatJSON(FlatJSONTests.tree(&g, depth: 1)), b = FlatJSON(FlatJSONTests.tree(&g, depth: 1))
            let shape = try #require(a.withRoot { FlatJSON.Shape(of: $0) } ?? nil)
            let same = try #require(a.withRoot(Self.outline)) == b.withRoot(Self.outline)
            #expect(b.withRoot(shape.matches) == same, "\(a.jsonValue.encodedString()) \(b.jsonValue.encodedString())")
            if same { outcomes.matched += 1 } else { outcomes.refused += 1 }
        }
        #expect(outcomes.refused > 2_000)
        #expect(outcomes.matched > 100)
    }

    @Test func theDifferencesThatMatter() throws {
        // Parsed from text, so that document order is the text's.
        let base = try FlatJSON.parse(Array(#"{"a":[1,"x",{"k":true}],"b":null,"c":2.5}"#.utf8))
        let shape = try #require(base.withRoot { FlatJSON.Shape(of: $0) } ?? nil)
        let variants: [(String, Bool)] = [
            (#"{"a":[7,"",{"k":false}],"b":null,"c":-1.0}"#, true),  // other values, same kinds
            (#"{"a":[1,"x\n\\\"",{"k":true}],"b":null,"c":1e300}"#, true),
            (#"{"a":[1.5,"x",{"k":true}],"b":null,"c":2.5}"#, false),  // an int became a double
            (#"{"a":[1,"x",{"k":true}],"b":"null","c":2.5}"#, false),  // null became a string
            (#"{"a":[1,"x",{"K":true}],"b":null,"c":2.5}"#, false),  // a key differs in case
            (#"{"a":[1,"x",{"kk":true}],"b":null,"c":2.5}"#, false),  // a key differs in length
            (#"{"a":[1,"x",{"k":true},4],"b":null,"c":2.5}"#, false),  // one more element
            (#"{"a":[1,"x",{"k":true,"l":1}],"b":null,"c":2.5}"#, false),  // one more member
            (#"{"b":null,"a":[1,"x",{"k":true}],"c":2.5}"#, false),  // the same members in another order
        ]
        for (text, matches) in variants {
            let flat = try FlatJSON.parse(Array(text.utf8))
            #expect(flat.withRoot(shape.matches) == matches, "\(text)")
            if matches {
                var out = JSONOutput()
                flat.withRoot { shape.write($0, to: &out) }
                #expect(out.bytes == flat.encoded(), "\(text)")
            }
        }
    }
}
