import Testing

@testable import TagdJSON

/// `encoded()` skips allocations and copies unescaped strings whole; it must still write exactly what the
/// plain recursive encoder below writes (compact, keys sorted by `String`'s `<`), byte for byte.
@Suite struct JSONEncodingTests {
    static let strings: [String] = [
        "", "plain", "with \"quotes\"", "back\\slash", "line\nbreak\r\ttab", "\u{0}\u{1}\u{1F}\u{7F}", "é", "e\u{301}",
        "日本語", "🙂 emoji", "/slash/", String(repeating: "x", count: 300), "ab\"", "\\", "1234567\"", "12345678\u{2}",
    ]

    @Test func matchesThePlainEncoderOnEdgeCases() {
        var values: [JSONValue] = [
            .null, true, false, 0, -1, .int(.max), .int(.min), 1.5, -0.0, .double(1e15), .double(999_999_999_999_999), .double(1e20),
            .double(0.1), .double(-2.5e-8), .double(.nan), .double(.infinity), .double(-.infinity), [], [:], [[], [:], [[]]],
        ]
        values += Self.strings.map { .string($0) }
        values.append(.object(Dictionary(Self.strings.map { ($0, JSONValue.string($0)) }, uniquingKeysWith: { first, _ in first })))
        values.append(.object(Dictionary(uniqueKeysWithValues: (0..<40).map { ("k\($0)", JSONValue.int(Int64($0))) })))
        values.append(["b": 1, "a": ["z": nil, "y": [1, "2", 3.5]], "B": true, "ä": "x", "a\u{301}": "y", "_": [:]])
        for value in values {
            #expect(value.encoded() == Self.plainEncoding(value), "\(value.encodedString())")
        }
    }

    @Test func matchesThePlainEncoderOnGeneratedTrees() {
        var state: UInt64 = 42
        for _ in 0..<500 {
            let value = Self.tree(depth: 0, state: &state)
            #expect(value.encoded() == Self.plainEncoding(value), "\(value.encodedString())")
        }
    }

    @Test func escapeScanFindsEveryByteThatNeedsEscaping() {
        let special: [UInt8] = [0x00, 0x09, 0x0A, 0x1F, 0x22, 0x5C]
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xC3, 0xFF, UInt8(ascii: "a")]
        var state: UInt64 = 7
        for length in 0..<40 {
            for _ in 0..<20 {
                var bytes = (0..<length).map { _ in plain[Self.next(&state, below: plain.count)] }
                if length > 0, Self.next(&state, below: 2) == 1 {
                    bytes[Self.next(&state, below: length)] = special[Self.next(&state, below: special.count)]
                }
                let expected = bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
                #expect(bytes.withUnsafeBufferPointer(JSONWriter.needsEscape) == expected, "\(bytes)")
            }
        }
    }

    /// The encoder as first written: one recursive walk, appending byte by byte.
    static func plainEncoding(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        func write(_ value: JSONValue) {
            switch value {
            case .null: out += Array("null".utf8)
            case .bool(let b): out += Array((b ? "true" : "false").utf8)
            case .int(let i): out += Array(String(i).utf8)
            case .double(let d):
                if !d.isFinite { out += Array("null".utf8) }
                else if d == d.rounded(.towardZero), abs(d) < 1e15 { out += Array(String(Int64(d)).utf8) }
                else { out += Array(d.description.utf8) }
            case .string(let s):
                out.append(0x22)
                for byte in s.utf8 {
                    switch byte {
                    case 0x22: out += [0x5C, 0x22]
                    case 0x5C: out += [0x5C, 0x5C]
                    case 0x0A: out += Array("\\n".utf8)
                    case 0x0D: out += Array("\\r".utf8)
                    case 0x09: out += Array("\\t".utf8)
                    case 0..<0x20: out += Array(("\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)).utf8)
                    default: out.append(byte)
                    }
                }
                out.append(0x22)
            case .array(let elements):
                out.append(UInt8(ascii: "["))
                for (n, element) in elements.enumerated() {
                    if n > 0 { out.append(UInt8(ascii: ",")) }
                    write(element)
                }
                out.append(UInt8(ascii: "]"))
            case .object(let members):
                out.append(UInt8(ascii: "{"))
                for (n, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                    if n > 0 { out.append(UInt8(ascii: ",")) }
                    write(.string(member.key))
                    out.append(UInt8(ascii: ":"))
                    write(member.value)
                }
                out.append(UInt8(ascii: "}"))
            }
        }
        write(value)
        return out
    }

    /// A number below `bound` from a linear congruential sequence: the same trees on every run.
    static func next(_ state: inout UInt64, below bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }

    static func tree(depth: Int, state: inout UInt64) -> JSONValue {
        switch next(&state, below: depth > 3 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(next(&state, below: 2) == 1)
        case 2: return .int(Int64(bitPattern: state) >> Int64(next(&state, below: 64)))
        case 3: return .double(Double(next(&state, below: 2_000_000) - 1_000_000) / 7 * (next(&state, below: 2) == 1 ? 1 : 1e12))
        case 4, 5: return .string(text(&state))
        case 6: return .array((0..<next(&state, below: 5)).map { _ in tree(depth: depth + 1, state: &state) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<next(&state, below: 12) { object[text(&state)] = tree(depth: depth + 1, state: &state) }
            return .object(object)
        }
    }

    static func text(_ state: inout UInt64) -> String {
        let pieces = ["a", "b", "Z", "_", "0", "\"", "\\", "\n", "\u{1}", "é", "e\u{301}", "🙂", " ", "data", "event_id", "\u{7F}"]
        return (0..<next(&state, below: 12)).map { _ in pieces[next(&state, below: pieces.count)] }.joined()
    }
}

/// The writer's buffer grows past its first capacity and can drop a partial write.
@Suite struct JSONOutputTests {
    @Test func growsAndTruncates() {
        var out = JSONOutput(capacity: 1)
        let text = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        for byte in text { out.append(byte) }
        text.withUnsafeBufferPointer { out.append($0) }
        out.append("null")
        #expect(out.bytes == text + text + Array("null".utf8))
        out.truncate(to: text.count)
        #expect(out.bytes == text)
        #expect(out.count == text.count)
    }

    /// The thread's scratch block behaves as an allocation of its own: the same bytes, within it and once grown
    /// past it, and a nested use gets another buffer.
    @Test func threadScratchWritesTheSameBytesWithinAndPastItsBlock() {
        let text = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        for repeats in [0, 1, 2, 10, 1_000, 3] {  // 1,000 repeats pass the block; the next use starts afresh
            var reference = JSONOutput(capacity: 16)
            let written = JSONOutput.withThreadScratch { out -> [UInt8] in
                for _ in 0..<repeats {
                    text.withUnsafeBufferPointer { out.append($0); reference.append($0) }
                    out.append(UInt8(ascii: ","))
                    reference.append(UInt8(ascii: ","))
                }
                out.append("null")
                reference.append("null")
                let nested = JSONOutput.withThreadScratch { inner -> [UInt8] in
                    inner.append("true")
                    return inner.bytes
                }
                #expect(nested == Array("true".utf8))
                #expect(out.withBytes { Array($0) } == out.bytes)
                return out.bytes
            }
            #expect(written == reference.bytes, "\(repeats) repeats")
        }
    }

    @Test func threadScratchPassesErrorsThroughAndIsFreeAgain() {
        struct Refused: Error, Equatable {}
        #expect(throws: Refused.self) {
            try JSONOutput.withThreadScratch { (out) throws(Refused) in
                out.append("true")
                throw Refused()
            }
        }
        let after = JSONOutput.withThreadScratch { out -> Int in out.count }
        #expect(after == 0)
    }
}
