import Testing
import TagdJSON

@Suite struct JSONValueTests {
    @Test func parsesEveryKindAndKeepsIntegersIntegers() throws {
        let value = try JSONValue.parse(#"{"a":1,"b":2.5,"c":"x","d":true,"e":null,"f":[1,"y"],"g":{"h":false}}"#)
        #expect(value["a"] == .int(1))
        #expect(value["b"] == .double(2.5))
        #expect(value["c"] == .string("x"))
        #expect(value["d"] == .bool(true))
        #expect(value["e"] == .null)
        #expect(value["f"] == .array([.int(1), .string("y")]))
        #expect(value["g"] == .object(["h": .bool(false)]))
    }

    @Test func nestedObjectsKeepTheirOwnMembersAndARepeatedKeyTakesTheLastValue() throws {
        let value = try JSONValue.parse(#"{"a":{"x":1,"y":{"z":[{"k":1},{"k":2,"k":3}]},"x":2},"b":{},"a2":[{}],"c":1,"c":2}"#)
        #expect(value == [
            "a": ["x": 2, "y": ["z": [["k": 1], ["k": 3]]]], "b": [:], "a2": [[:]], "c": 2,
        ])
    }

    @Test func rejectsMalformedDocuments() {
        for bad in ["{", "{\"a\":}", "[1,]", "nul", ""] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(bad) }
        }
    }

    @Test func encodesCompactlyWithSortedKeys() {
        let value: JSONValue = ["b": [1, 2.5, "q\"\n\u{1}"], "a": nil, "c": ["z": true]]
        #expect(value.encodedString() == #"{"a":null,"b":[1,2.5,"q\"\n\u0001"],"c":{"z":true}}"#)
    }

    @Test func roundTripsThroughText() throws {
        let value: JSONValue = ["name": "Zürich ✓", "n": -12, "x": 0.1, "list": [["k": "v"]]]
        #expect(try JSONValue.parse(value.encodedString()) == value)
    }
}

@Suite struct JSONParserTests {
    @Test func reportsWhereAndWhy() {
        #expect(throws: JSONParseError(reason: "expected ',' or '}' in an object", offset: 7)) {
            try JSONValue.parse(#"{"a":1 "b":2}"#)
        }
        #expect(throws: JSONParseError(reason: "leading zero in a number", offset: 1)) { try JSONValue.parse("01") }
        #expect(throws: JSONParseError(reason: "unexpected data after the JSON value", offset: 3)) { try JSONValue.parse("{} x") }
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try JSONValue.parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\né😀"))
        // A lone surrogate becomes U+FFFD instead of failing the whole hit.
        #expect(try JSONValue.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
    }

    @Test func repairsInvalidUTF8InsteadOfFailing() throws {
        #expect(try JSONValue.parse([0x22, 0x61, 0xFF, 0x22]) == .string("a\u{FFFD}"))
    }

    @Test func numbersKeepTheirKind() throws {
        #expect(try JSONValue.parse("[0,-7,9223372036854775807,9223372036854775808,1.5e3,-0.25]") == .array([
            .int(0), .int(-7), .int(Int64.max), .double(9_223_372_036_854_775_808), .double(1500), .double(-0.25),
        ]))
        for bad in ["1.", ".5", "-", "1e", "+1", "1e999", "0x10", "NaN"] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(bad) }
        }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue.parse(ok)) != nil)
    }

    @Test func rejectsControlCharactersAndBadLiterals() {
        for bad in ["\"a\u{1}b\"", "tru", "nulll", "[1,]", "{\"a\" 1}", "{1:2}", "\"\\x\""] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(bad) }
        }
    }
}
