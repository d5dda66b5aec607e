@testable import TagdJSON
import TestRandom
import Testing

/// `FlatJSONScanner`, the fast path of `FlatJSON.parse`, against the grammar it stands in for
/// (`FlatJSON.parseByGrammar`, `JSONParser` with a `FlatJSONBuilder`): whatever it accepts, the grammar accepts and
/// reads into the same nodes over the same bytes; what it declines, `parse` reads through the grammar.
@Suite struct FlatJSONScannerTests {
    /// Whether the scanner read `bytes` (false when it declined), after checking it against the grammar.
    @discardableResult
    static func expectSameAsGrammar(_ bytes: [UInt8], _ comment: Comment? = nil) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            let grammar = Result { () throws(JSONParseError) -> FlatJSON in try FlatJSON.parseByGrammar(buffer) }
            let parsed = Result { () throws(JSONParseError) -> FlatJSON in try FlatJSON.parse(buffer) }
            switch (grammar, parsed) {
            case (.success(let a), .success(let b)):
                #expect(a.jsonValue == b.jsonValue && a.encoded() == b.encoded(), comment)
            case (.failure(let a), .failure(let b)):
                #expect(a == b, comment)
            default:
                Issue.record("parse and the grammar disagree: \(bytes) \(comment?.rawValue ?? "")")
            }
            guard let scanned = FlatJSONScanner.scan(buffer) else { return false }
            switch grammar {
            case .success(let expected):
                #expect(scanned.isIdentical(to: expected), comment)
            case .failure(let error):
                Issue.record("the scanner accepted what the grammar refuses (\(error)): \(bytes) \(comment?.rawValue ?? "")")
            }
            return true
        }
    }

    @Test func generatedDocumentsReadAsTheGrammarReadsThem() {
        var g = SplitMix64(seed: 61)
        var scanned = 0
        for _ in 0..<4_000 {
            let text = JSONParserLegacyTests.value(&g, depth: 0)
            if Self.expectSameAsGrammar(text) { scanned += 1 }
        }
        #expect(scanned > 1_000)  // the fast path is taken, not only declined
    }

    @Test func treesEncodedAndSpacedOutReadAlike() {
        var g = SplitMix64(seed: 67)
        var scanned = 0
        for _ in 0..<2_000 {
            let text = Array(FlatJSONTests.tree(&g, depth: 0).encoded())
            if Self.expectSameAsGrammar(text) { scanned += 1 }
            let spaced = text.flatMap { byte -> [UInt8] in
                byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":") ? [0x20, byte, 0x0A, 0x0D, 0x09] : [byte]
            }
            Self.expectSameAsGrammar([0x20] + spaced + [0x0A])
        }
        #expect(scanned > 1_000)
    }

    @Test func damagedDocumentsAreNeverAcceptedByTheScannerAlone() {
        var g = SplitMix64(seed: 71)
        let junk: [UInt8] = [0x00, 0x1F, 0x20, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x30, 0x39, 0x2D, 0x2B, 0x2E,
                             0x65, 0x45, 0x75, 0x6E, 0x74, 0x66, 0x6C, 0x61, 0x7F, 0x80, 0xC3, 0xED, 0xFF, 0x09, 0x0A]
        for _ in 0..<8_000 {
            var text = g.next() % 2 == 0 ? JSONParserLegacyTests.value(&g, depth: 0)
                : Array(FlatJSONTests.tree(&g, depth: 0).encoded())
            guard !text.isEmpty else { continue }
            for _ in 0...(g.next() % 3) {
                switch g.next() % 4 {
                case 0 where !text.isEmpty: text[g.below(text.count)] = g.pick(junk)
                case 1 where !text.isEmpty: text.removeLast(g.below(text.count) + 1)
                case 2 where !text.isEmpty: text.remove(at: g.below(text.count))
                default: text.insert(g.pick(junk), at: g.below(text.count + 1))
                }
            }
            Self.expectSameAsGrammar(text)
        }
    }

    /// Keys that repeat (byte for byte, after escapes, canonically), objects around the 32 members the scanner
    /// takes, and keys whose bits collide.
    @Test func objectsWithRepeatedAndManyKeysReadAlike() {
        var g = SplitMix64(seed: 73)
        let keys = ["a", "b", "K", "\u{212A}", "a\\u0062", "ab", "\u{e9}", "e\u{301}", "", "item_id", "item_ie", "x\\n", "ba"]
        for _ in 0..<3_000 {
            let count = g.below(g.next() % 6 == 0 ? 40 : 9)
            let members = (0..<count).map { i in
                let key = g.next() % 3 == 0 ? g.pick(keys) : "k\(g.next() % 60)"
                return "\"\(key)\":\(g.next() % 4 == 0 ? "{\"k1\":\(i),\"k1\":0}" : String(i))"
            }
            let text = "{" + members.joined(separator: ",") + "}"
            Self.expectSameAsGrammar(Array(text.utf8), "\(text)")
        }
        for count in [30, 31, 32, 33, 64] {
            let text = "{" + (0..<count).map { "\"key\($0)\":\($0)" }.joined(separator: ",") + "}"
            Self.expectSameAsGrammar(Array(text.utf8), "\(text)")
        }
    }

    /// Keys and values of every length around the two words the scanner reads a short string in, with a special
    /// byte (quote, escape, control, non-ASCII) at every position, and enough document after them that both
    /// words are read.
    @Test func shortStringsWithASpecialByteAtEveryPosition() {
        let specials: [[UInt8]] = [[], [0x22], [0x5C, 0x6E], [0x5C, 0x75, 0x30, 0x30, 0x65, 0x39], [0x5C, 0x78], [0x00],
                                   [0x1F], [0x7F], [0x80], [0xC3, 0xA9], [0xFF], [0x0A], [0x5C, 0x22]]
        let padding = Array(#","zzzzzzzzzzzzzzzzzzzzzzzz":"zzzzzzzzzzzzzzzzzzzzzzzz"}"#.utf8)
        for length in 0..<20 {
            for position in 0...length {
                for special in specials {
                    var content = Array(repeating: UInt8(ascii: "a"), count: length)
                    content.insert(contentsOf: special, at: position)
                    let quoted = [0x22] + content + [0x22]
                    Self.expectSameAsGrammar([0x7B] + quoted + Array(#":1"#.utf8) + padding)
                    Self.expectSameAsGrammar(Array(#"{"k":"#.utf8) + quoted + padding)
                    Self.expectSameAsGrammar([0x5B] + quoted + Array(#","zzzzzzzzzzzzzzzzzzzzzzzz"]"#.utf8))
                }
            }
        }
    }

    @Test func nestingAtTheLimitAndPastIt() {
        for depth in [1, 127, 128, 129, 300] {
            Self.expectSameAsGrammar(Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8))
            Self.expectSameAsGrammar(Array((String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)).utf8))
        }
    }

    /// Documents of many small values: more nodes than the first try reserves, so the scanner tries again with
    /// room for any document of the size.
    @Test func documentsDenserThanTheFirstReservation() {
        for count in [0, 1, 7, 8, 9, 40, 41, 300, 2_000] {
            let numbers = "[" + (0..<count).map { String($0 % 10) }.joined(separator: ",") + "]"
            #expect(Self.expectSameAsGrammar(Array(numbers.utf8)))
            let empties = "[" + Array(repeating: "[]", count: count).joined(separator: ",") + "]"
            #expect(Self.expectSameAsGrammar(Array(empties.utf8)))
            let object = "{" + (0..<min(count, 31)).map { "\"\($0)\":[0,1]" }.joined(separator: ",") + "}"
            #expect(Self.expectSameAsGrammar(Array(object.utf8)))
            // Decoded strings (escaped, non-ASCII) ahead of the numbers: the retry must drop the first pass's text.
            let decoded = "[\"\u{E9}\",\"\\n\"" + String(repeating: ",1", count: count) + "]"
            #expect(Self.expectSameAsGrammar(Array(decoded.utf8)))
        }
    }

    @Test(arguments: [
        "", " ", "1", "-0", "\"x\"", "true", "fals", "nul", "nulll", "[1,]", "{\"a\":1,}", "{\"a\" :1}", "{\"a\"1}",
        "{\"a\":1 \"b\":2}", "[1 2]", "\"\\u00e9\"", "\"\\u00G9\"", "\"a\u{1}\"", "{\"\\u0061\":1}", "{\"é\":1}",
        "[\"\u{FF}\"]", "1 ", " [ ] ", "[] x", "{\"a\":{\"b\":{\"c\":[true,false,null,1.5e3]}}}",
    ])
    func smallDocumentsReadAlike(text: String) {
        Self.expectSameAsGrammar(Array(text.utf8), "\(text)")
    }
}
