@testable import TagdJSON
import TestRandom
import Testing

/// The parser's fast paths (the string scan that notes ASCII, the one-pass number read, the builder's key path)
/// against `LegacyJSONParser`, the parser before them: the same values, the same flat nodes bit for bit, the same
/// errors at the same offsets, over generated documents that reach the edges.
@Suite struct JSONParserLegacyTests {
    static func expectSameAsLegacy(_ bytes: [UInt8], _ comment: Comment? = nil) {
        bytes.withUnsafeBufferPointer { buffer in
            let legacyTree = Result { () throws(JSONParseError) -> JSONValue in try LegacyJSONParser.parse(buffer) }
            let tree = Result { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(bytes) }
            var viaTree = false
            let legacyFlat = Result { () throws(JSONParseError) -> FlatJSON in try legacyFlatParse(buffer, viaTree: &viaTree) }
            let flat = Result { () throws(JSONParseError) -> FlatJSON in try FlatJSON.parse(buffer) }
            switch (legacyTree, tree, legacyFlat, flat) {
            case (.success(let legacyTree), .success(let tree), .success(let legacyFlat), .success(let flat)):
                #expect(tree == legacyTree, comment)
                if viaTree {  // a repeated key: flattened from a dictionary, whose order is its own
                    #expect(flat.jsonValue == legacyFlat.jsonValue && flat.encoded() == legacyFlat.encoded(), comment)
                } else {
                    #expect(flat.isIdentical(to: legacyFlat), comment)
                }
                for node in flat.nodes where node.kind == .string {
                    let start = Int(node.payload)
                    #expect(node.isASCII == flat.bytes[start..<start + Int(node.count)].allSatisfy { $0 < 0x80 }, comment)
                }
            case (.failure(let a), .failure(let b), .failure(let c), .failure(let d)):
                #expect(a == b && b == c && c == d, "\(a) \(b) \(c) \(d) \(comment?.rawValue ?? "")")
            default:
                Issue.record("accepted by some, refused by others: \(Array(bytes)) \(comment?.rawValue ?? "")")
            }
            #expect(JSONValue.countOfArray(named: "a", inObject: UnsafeRawBufferPointer(buffer))
                    == LegacyJSONParser.countOfArray(named: "a", in: buffer), comment)
        }
        FlatJSONParsingTests.expectSameReading(bytes, comment)
    }

    /// `FlatJSON.parse` as it was, over the legacy grammar.
    static func legacyFlatParse(_ buffer: UnsafeBufferPointer<UInt8>, viaTree: inout Bool) throws(JSONParseError) -> FlatJSON {
        var builder = FlatJSONBuilder(document: FlatJSON(nodeCapacity: 16, byteCapacity: 64), source: buffer)
        do throws(JSONParseError) {
            try LegacyJSONParser.parse(buffer, into: &builder)
            return builder.document
        } catch where error == FlatJSONBuilder.repeatedKey {
            viaTree = true
            return FlatJSON(try LegacyJSONParser.parse(buffer))
        }
    }

    @Test func generatedDocumentsReadAsBefore() {
        var g = SplitMix64(seed: 41)
        for _ in 0..<3_000 {
            let text = Self.value(&g, depth: 0)
            Self.expectSameAsLegacy(text, "\(text)")
        }
    }

    @Test func damagedDocumentsAreRefusedAsBefore() {
        var g = SplitMix64(seed: 43)
        let junk: [UInt8] = [0x00, 0x1F, 0x20, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x30, 0x39, 0x2D, 0x2B, 0x2E,
                             0x65, 0x45, 0x75, 0x6E, 0x74, 0x66, 0x7F, 0x80, 0xC3, 0xED, 0xFF, 0x09, 0x0A]
        for _ in 0..<6_000 {
            var text = Self.value(&g, depth: 0)
            guard !text.isEmpty else { continue }
            for _ in 0...(g.next() % 2) {
                switch g.next() % 3 {
                case 0 where !text.isEmpty: text[Int(g.next() % UInt64(text.count))] = junk[Int(g.next() % UInt64(junk.count))]
                case 1 where !text.isEmpty: text.removeLast(Int(g.next() % UInt64(text.count)) + 1)
                default: text.insert(junk[Int(g.next() % UInt64(junk.count))], at: Int(g.next() % UInt64(text.count + 1)))
                }
            }
            Self.expectSameAsLegacy(text, "\(text)")
        }
    }

    /// Strings of every length around the eight-byte words, a special byte at every position.
    @Test func everySpecialByteAtEveryPosition() {
        let specials: [[UInt8]] = [[0x22], [0x5C, 0x6E], [0x5C, 0x75, 0x30, 0x30, 0x65, 0x39], [0x5C, 0x78], [0x5C], [0x00],
                                   [0x1F], [0x7F], [0x80], [0xC3, 0xA9], [0xFF], [0xF0, 0x9F, 0x99, 0x82], [0x0A]]
        for length in 0..<20 {
            for position in 0...length {
                for special in specials {
                    var content = Array(repeating: UInt8(ascii: "a"), count: length)
                    content.insert(contentsOf: special, at: position)
                    for tail: [UInt8] in [[0x22], [0x22, 0x5D], [], [0x5C]] {
                        Self.expectSameAsLegacy([0x5B, 0x22] + content + tail + (tail.count == 2 ? [] : [0x5D]))
                        Self.expectSameAsLegacy([0x7B, 0x22] + content + tail + [0x3A, 0x31, 0x7D])
                    }
                }
            }
        }
    }

    @Test func numbersAtTheEdgesReadAsBefore() {
        var g = SplitMix64(seed: 47)
        var texts = Self.edgeNumbers
        for _ in 0..<20_000 { texts.append(Self.number(&g)) }
        for text in texts {
            Self.expectSameAsLegacy(Array("[\(text)]".utf8), "\(text)")
            Self.expectSameAsLegacy(Array(text.utf8), "\(text)")
        }
    }

    @Test func objectsWithRepeatedKeysReadAsBefore() {
        var g = SplitMix64(seed: 53)
        let keys = ["a", "b", "K", "\u{212A}", "a\\u0062", "ab", "\u{e9}", "e\u{301}", "", "item_id", "item_ie", "x\\n"]
        for _ in 0..<3_000 {
            let count = Int(g.next() % (g.next() % 8 == 0 ? 45 : 8))
            let members = (0..<count).map { i in
                let key = g.next() % 3 == 0 ? keys[Int(g.next() % UInt64(keys.count))] : "k\(g.next() % 40)"
                return "\"\(key)\":\(i)"
            }
            let text = "{" + members.joined(separator: ",") + "}"
            Self.expectSameAsLegacy(Array(text.utf8), "\(text)")
        }
    }

    @Test func deepNestingReadsAsBefore() {
        for depth in [1, 64, 127, 128, 129, 200] {
            Self.expectSameAsLegacy(Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8))
            Self.expectSameAsLegacy(Array((String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)).utf8))
            Self.expectSameAsLegacy(Array((String(repeating: "[", count: depth) + "\"x").utf8))
        }
    }

    static let edgeNumbers = [
        "0", "-0", "1", "-1", "00", "-00", "01", "-", "+1", ".5", "1.", "1.e5", "1e", "1e+", "1E-", "0e0", "-0.0E-0",
        "999999999999999999", "-999999999999999999", "1000000000000000000", "-1000000000000000000",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "9999999999999999999", "10000000000000000000", "18446744073709551615", "18446744073709551616",
        "123456789012345678901234567890", "9007199254740992.5", "9007199254740993.1", "900719925474099.31",
        "0.0000000000000000000001", "0.00000000000000000000001", "0.000000000000000001", "1.000000000000000000",
        "72.39", "19.99", "0.1", "0.30000000000000004", "1e400", "-1e400", "1e-400", "1.7976931348623157e308",
        "1.7976931348623159e308", "4.9e-324", "123456789012345.678", "1234567890123456789.5", "12345678901234567.89",
    ]

    static func number(_ g: inout SplitMix64) -> String {
        let digits = "0123456789"
        func run(_ n: Int) -> String { String((0..<n).map { _ in digits.randomElement(using: &g) ?? "0" }) }
        var text = g.next() % 3 == 0 ? "-" : ""
        text += g.next() % 5 == 0 ? "0" : String(digits.dropFirst().randomElement(using: &g) ?? "1") + run(Int(g.next() % 21))
        if g.next() % 2 == 0 { text += "." + run(1 + Int(g.next() % 24)) }
        if g.next() % 6 == 0 { text += (g.next() % 2 == 0 ? "e" : "E") + ["", "+", "-"][Int(g.next() % 3)] + run(1 + Int(g.next() % 3)) }
        return text
    }

    /// JSON text built byte by byte: escapes, raw non-ASCII and invalid UTF-8, whitespace, edge numbers.
    static func value(_ g: inout SplitMix64, depth: Int) -> [UInt8] {
        func space() -> [UInt8] { g.next() % 4 == 0 ? [[0x20], [0x0A, 0x09], [0x0D, 0x20, 0x20]][Int(g.next() % 3)] : [] }
        switch g.next() % (depth > 4 ? 5 : 7) {
        case 0: return Array(["null", "true", "false"][Int(g.next() % 3)].utf8)
        case 1, 2: return Array((g.next() % 4 == 0 ? edgeNumbers[Int(g.next() % UInt64(edgeNumbers.count))] : number(&g)).utf8)
        case 3, 4: return string(&g)
        case 5:
            let elements = (0..<Int(g.next() % 5)).map { _ in space() + value(&g, depth: depth + 1) + space() }
            return [0x5B] + space() + Array(elements.joined(separator: [0x2C])) + [0x5D]
        default:
            let members = (0..<Int(g.next() % 7)).map { _ in
                space() + string(&g) + space() + [0x3A] + space() + value(&g, depth: depth + 1) + space()
            }
            return [0x7B] + space() + Array(members.joined(separator: [0x2C])) + [0x7D]
        }
    }

    static func string(_ g: inout SplitMix64) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("\\n".utf8), Array("\\\"".utf8), Array("\\\\".utf8), Array("\\/".utf8), Array("\\u00e9".utf8),
            Array("\\ud83d\\ude42".utf8), Array("\\ud800".utf8), Array("\\uDC00x".utf8), Array("\\u0000".utf8),
            Array("é".utf8), Array("🙂".utf8), [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x7F], Array("e\u{301}".utf8),
            Array("\u{212A}".utf8),
        ]
        var content: [UInt8] = []
        for _ in 0..<Int(g.next() % 4) {
            if g.next() % 3 == 0 {
                content += pieces[Int(g.next() % UInt64(pieces.count))]
            } else {
                content += (0..<Int(g.next() % 19)).map { _ in UInt8(0x20 + g.next() % 0x5F) }.filter { $0 != 0x22 && $0 != 0x5C }
            }
        }
        return [0x22] + content + [0x22]
    }
}
