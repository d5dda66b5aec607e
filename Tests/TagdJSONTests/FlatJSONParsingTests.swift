import TestRandom
import Foundation
import TagdJSON
import Testing

/// `FlatJSON.parse` shares `JSONValue.parse`'s grammar: the same documents are accepted, read the same, and
/// refused with the same error.
@Suite struct FlatJSONParsingTests {
    /// Both parsers on the same bytes: equal results, or equal errors.
    static func expectSameReading(_ bytes: [UInt8], _ comment: Comment? = nil) {
        let tree = Result { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(bytes) }
        let flat = Result { () throws(JSONParseError) -> FlatJSON in try FlatJSON.parse(bytes) }
        switch (tree, flat) {
        case (.success(let tree), .success(let flat)):
            #expect(flat.jsonValue == tree, comment)
            #expect(flat.encoded() == tree.encoded(), comment)
        case (.failure(let treeError), .failure(let flatError)):
            #expect(treeError == flatError, comment)
        default:
            Issue.record("one parser accepted what the other refused: \(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test func generatedDocumentsReadTheSame() {
        var generator = SplitMix64(seed: 23)
        for _ in 0..<2_000 {
            let tree = FlatJSONTests.tree(&generator, depth: 0)
            let text = Array(tree.encoded())
            Self.expectSameReading(text, "\(tree.encodedString())")
            // The same document spaced out.
            let spaced = text.flatMap { byte -> [UInt8] in
                byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":") ? [0x20, byte, 0x0A, 0x09] : [byte]
            }
            Self.expectSameReading(spaced)
        }
    }

    @Test func damagedDocumentsAreRefusedAlike() {
        var generator = SplitMix64(seed: 29)
        let junk: [UInt8] = [0x00, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x30, 0x2D, 0x65, 0xC3, 0xFF, 0x20]
        for _ in 0..<3_000 {
            var text = Array(FlatJSONTests.tree(&generator, depth: 0).encoded())
            guard !text.isEmpty else { continue }
            switch generator.next() % 3 {
            case 0: text[Int(generator.next() % UInt64(text.count))] = junk[Int(generator.next() % UInt64(junk.count))]
            case 1: text.removeLast(Int(generator.next() % UInt64(text.count)) + 1)
            default: text.insert(junk[Int(generator.next() % UInt64(junk.count))], at: Int(generator.next() % UInt64(text.count + 1)))
            }
            Self.expectSameReading(text)
        }
    }

    @Test(arguments: [
        #"{"a":1,"a":2}"#,
        #"{"a":{"b":1,"b":[2]},"c":0}"#,
        #"[{"x":1},{"y":2,"y":3}]"#,
        "{\"\u{e9}\":1,\"e\u{301}\":2}",  // canonically equal keys: one dictionary member
        "{\"K\":1,\"\u{212A}\":2}", "{\"\u{212A}\":1,\"K\":2}", "{\"a\":1,\"\u{212A}\":2,\"K\":3}",
        #"{"a\u0062":1,"ab":2}"#,  // equal once unescaped
        #"{"s":"\ud83d\ude42 \ud800 \u00e9\n\/","n":[-0,0.5e-3,1E+2,12345678901234567890,-9223372036854775808]}"#,
        #"{"deep":[[[[[[[[[[{"k":null}]]]]]]]]]],"t":true,"f":false}"#,
    ])
    func documentsWithRepeatsEscapesAndNumbersReadTheSame(text: String) {
        Self.expectSameReading(Array(text.utf8), "\(text)")
    }

    /// Short decimals take a fast path (digits / 10^k); they must read as Swift's own parse reads the text.
    @Test func decimalsReadAsSwiftReadsThem() throws {
        var generator = SplitMix64(seed: 99)
        var texts = ["0.1", "0.2", "0.3", "-0.0", "72.39", "19.99", "32.41", "9007199254740992.5", "9007199254740993.1",
                     "0.0000000000000000000001", "0.00000000000000000000001", "123456789012345.678", "1.7976931348623157"]
        for _ in 0..<20_000 {
            let integer = generator.next() % 1_000_000_000_000
            let places = Int(generator.next() % 24)
            var fraction = String(generator.next() % 1_000_000_000_000_000_000)
            fraction = String(repeating: "0", count: max(0, places - fraction.count)) + fraction
            let sign = generator.next() % 4 == 0 ? "-" : ""
            texts.append("\(sign)\(integer % UInt64(pow(10, Double(generator.next() % 13)))).\(fraction.prefix(max(1, places)))")
        }
        for text in texts {
            let expected = try #require(Double(text))
            #expect(try JSONValue.parse("[\(text)]") == .array([.double(expected)]), "\(text)")
            #expect(try FlatJSON.parse(Array("[\(text)]".utf8)).jsonValue == .array([.double(expected)]), "\(text)")
        }
    }

    @Test func largeObjectsWithARepeatedKeyReadTheSame() {
        for repeatAt in [1, 31, 32, 33, 40] {
            var members = (0..<40).map { "\"k\($0)\":\($0)" }
            members.append("\"k\(repeatAt - 1)\":\"again\"")
            Self.expectSameReading(Array(("{" + members.joined(separator: ",") + "}").utf8), "repeat at \(repeatAt)")
        }
    }

    @Test func invalidUTF8IsRepairedAlike() {
        for bytes: [UInt8] in [
            [0x7B, 0x22, 0x61, 0xFF, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D],  // {"a\xFF":"\xC3("}
            [0x5B, 0x22, 0xE2, 0x82, 0x22, 0x2C, 0x22, 0xF0, 0x9F, 0x99, 0x82, 0x22, 0x5D],
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // an encoded surrogate
        ] {
            Self.expectSameReading(bytes)
        }
    }

    @Test func nestingLimitIsTheSame() {
        Self.expectSameReading(Array((String(repeating: "[", count: 128) + String(repeating: "]", count: 128)).utf8))
        Self.expectSameReading(Array((String(repeating: "[", count: 129) + String(repeating: "]", count: 129)).utf8))
    }

    @Test func rootMembersAreFilledWhenAbsentOrNull() throws {
        var document = try FlatJSON.parse(Array(#"{"a":1,"ip_override":null,"user_agent":"given","items":[{"x":null}]}"#.utf8))
        document.fillRootMember("ip_override", with: "198.51.100.7")
        document.fillRootMember("user_agent", with: "ignored")
        document.fillRootMember("added", with: "é")
        document.fillRootMember("x", with: "only at the root")
        #expect(document.jsonValue == [
            "a": 1, "ip_override": "198.51.100.7", "user_agent": "given", "items": [["x": nil]], "added": "é",
            "x": "only at the root",
        ])
        #expect(document.encoded() == document.jsonValue.encoded())
        // Not an object: nothing to fill.
        var array = try FlatJSON.parse(Array("[1]".utf8))
        array.fillRootMember("a", with: "b")
        #expect(array.jsonValue == [1])
    }

    @Test func anElementCopiedOutIsADocumentOfItsOwn() throws {
        let document = try FlatJSON.parse(Array(#"[{"a":[1,{"b":"c"}]},"s",{"d":{"e":null}}]"#.utf8))
        let indices: [Int] = document.withRoot { root -> [Int] in
            var indices: [Int] = []
            _ = root.allElements { indices.append($0.index); return true }
            return indices
        } ?? []
        #expect(indices.map { document.document(at: $0).jsonValue } == [["a": [1, ["b": "c"]]], "s", ["d": ["e": nil]]])
        var copy = document.document(at: indices[2])
        copy.fillRootMember("f", with: "g")
        #expect(copy.jsonValue == ["d": ["e": nil], "f": "g"])
    }
}
