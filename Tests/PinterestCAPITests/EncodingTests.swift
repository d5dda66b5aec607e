@testable import PinterestCAPI
import NIOCore
import TagdJSON
import Testing

/// Events are encoded once at submit by `EventJSONWriter` and joined into batch bodies by `BatchBody`:
/// the bytes must be exactly what `JSONValue.encoded()` writes, the encoding the schema checks were
/// made against.
@Suite struct EncodingTests {
    static let strings: [String] = [
        "", "plain", "with \"quotes\"", "back\\slash", "line\nbreak\r\ttab", "\u{0}\u{1}\u{1F}\u{7F}", "é", "e\u{301}",
        "日本語", "🙂 emoji", "/slash/", String(repeating: "x", count: 300), "ab\"", "\\", "1234567\"", "12345678\u{2}",
    ]

    @Test func writerMatchesTheReferenceEncoderOnEdgeCases() {
        var values: [JSONValue] = [
            .null, true, false, 0, -1, .int(.max), .int(.min), 1.5, -0.0, .double(1e15), .double(999_999_999_999_999), .double(1e20),
            .double(0.1), .double(-2.5e-8), .double(.nan), .double(.infinity), .double(-.infinity), [], [:], [[], [:], [[]]],
        ]
        values += Self.strings.map { .string($0) }
        values.append(.object(Dictionary(Self.strings.map { ($0, JSONValue.string($0)) }, uniquingKeysWith: { first, _ in first })))
        values.append(.object(Dictionary(uniqueKeysWithValues: (0..<40).map { ("k\($0)", JSONValue.int(Int64($0))) })))
        values.append(["b": 1, "a": ["z": nil, "y": [1, "2", 3.5]], "B": true, "ä": "x", "a\u{301}": "y", "_": [:]])
        values.append(validEvent())
        for value in values {
            #expect(EventJSONWriter.encode(value) == value.encoded(), "\(value.encodedString())")
        }
    }

    @Test func writerMatchesTheReferenceEncoderOnRandomTrees() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            let value = Self.randomValue(depth: 0, using: &generator)
            #expect(EventJSONWriter.encode(value) == value.encoded(), "\(value.encodedString())")
        }
    }

    @Test func escapeScanFindsEveryByteThatNeedsEscaping() {
        var generator = SeededGenerator(seed: 7)
        let special: [UInt8] = [0x00, 0x09, 0x0A, 0x1F, 0x22, 0x5C]
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xC3, 0xFF, UInt8(ascii: "a")]
        for length in 0..<40 {
            for _ in 0..<20 {
                var bytes = (0..<length).map { _ in plain.randomElement(using: &generator) ?? 0x20 }
                if length > 0, Bool.random(using: &generator) {
                    bytes[Int.random(in: 0..<length, using: &generator)] = special.randomElement(using: &generator) ?? 0
                }
                let expected = bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
                #expect(bytes.withUnsafeBufferPointer(EventJSONWriter.needsEscape) == expected, "\(bytes)")
            }
        }
    }

    @Test func batchBodyIsTheReferenceEncodingOfTheDataObject() throws {
        let destination = destination()
        let events = (0..<5).map { index in
            setting(setting(validEvent(id: "e\(index)"), "custom_data.content_name", to: .string("name \"\(index)\"\n")), "custom_data.num_items", to: .int(Int64(index)))
        }
        let entries = events.enumerated().map { OutboxEntry(id: UInt64($0.offset), destination: destination, event: EncodedEvent($0.element)) }
        let body = BatchBody.make(entries)
        let expected = JSONValue.object(["data": .array(events)]).encoded()
        #expect(Array(body.readableBytesView) == expected)
        #expect(body.readableBytes == expected.count)
        let parsed = try JSONValue.parse(body.readableBytesView)
        #expect(ConversionEventValidator.pinterest.validateBody(parsed).isEmpty)
        #expect(Array(BatchBody.make([]).readableBytesView) == Array(#"{"data":[]}"#.utf8))
    }

    @Test func encodedEventKeepsNameAndIDForLogs() {
        let encoded = EncodedEvent(validEvent(id: "abc", name: "lead"))
        #expect(encoded.eventID == "abc")
        #expect(encoded.eventName == "lead")
        #expect(encoded.json == validEvent(id: "abc", name: "lead").encoded())
    }

    static func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let pick = Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &generator)
        switch pick {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0..<64, using: &generator))
        case 3: return .double(Double.random(in: -1e6...1e6, using: &generator) * (Bool.random(using: &generator) ? 1 : 1e12))
        case 4, 5: return .string(randomString(using: &generator))
        case 6:
            return .array((0..<Int.random(in: 0..<5, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<12, using: &generator) {
                object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }

    static func randomString(using generator: inout SeededGenerator) -> String {
        let pieces = ["a", "b", "Z", "_", "0", "\"", "\\", "\n", "\u{1}", "é", "e\u{301}", "🙂", " ", "data", "event_id", "\u{7F}"]
        return (0..<Int.random(in: 0..<12, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
    }
}
