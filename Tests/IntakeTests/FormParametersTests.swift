import Foundation
import Testing

@testable import Intake

/// `FormParameters` against a plain reading of the same rules: split on `&`, then at the first `=`, decode both
/// sides, the first value of a repeated (decoded) name wins; an overlay replaces or adds.
@Suite struct FormParametersTests {
    static func reference(_ text: String) -> [(String, String)] {
        var result: [(String, String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: "=")
            var invalid = false
            let name = PercentDecoding.decode(Array(part[..<(equals ?? part.endIndex)].utf8), sawInvalidEscape: &invalid)
            let value = equals.map { PercentDecoding.decode(Array(part[part.index(after: $0)...].utf8), sawInvalidEscape: &invalid) } ?? ""
            if !result.contains(where: { $0.0 == name }) { result.append((name, value)) }
        }
        return result
    }

    /// Queries of 0 to 119 parameters over 37 names (so repeats, and past the table's 32 names), some names
    /// percent-encoded into another's decoded form, some without `=`.
    static func query(_ n: Int) -> String {
        (0..<n).map { i in
            let name = i % 5 == 4 ? "n%3\(i % 10)" : (i % 7 == 6 ? "n+\(i % 37)" : "n\(i % 37)")
            return i % 11 == 10 ? name : "\(name)=v\(i)%2B\(i % 3 == 0 ? "+x" : "")"
        }.joined(separator: "&")
    }

    @Test func parsingKeepsTheFirstValueOfEachNameInOrder() {
        for n in 0..<120 {
            let text = Self.query(n)
            let parsed = FormParameters(parsing: text)
            let expected = Self.reference(text)
            #expect(parsed.entries.map(\.name) == expected.map(\.0), "\(n)")
            #expect(parsed.entries.map(\.value) == expected.map(\.1), "\(n)")
            #expect(parsed.values == Dictionary(expected, uniquingKeysWith: { first, _ in first }), "\(n)")
            for name in ["n0", "n1", "n 6", "n36", "missing", ""] {
                #expect(parsed[name] == expected.first(where: { $0.0 == name })?.1, "\(n) \(name)")
            }
        }
    }

    /// Decoding into the string's storage gives what decoding the bytes and then repairing them gave.
    @Test func decodingRepairsInvalidUTF8AsBefore() {
        let cases = ["%FF%FE", "a%C3", "%C3%A9", "%E2%82", "%E2%82%AC+x", "%F0%9F%98%80", "%ED%A0%80", "%C0%AF", "%zz%4", "+%2B+",
                     "caf%C3%A9%20%FF", String(repeating: "%41", count: 40), ""]
        for text in cases {
            var expectedInvalid = false
            var bytes: [UInt8] = []
            var i = Array(text.utf8)[...]
            while let byte = i.first {
                i = i.dropFirst()
                if byte == UInt8(ascii: "+") { bytes.append(0x20); continue }
                if byte == UInt8(ascii: "%"), i.count >= 2, let v = UInt8(String(decoding: i.prefix(2), as: UTF8.self), radix: 16) {
                    bytes.append(v)
                    i = i.dropFirst(2)
                    continue
                }
                if byte == UInt8(ascii: "%") { expectedInvalid = true }
                bytes.append(byte)
            }
            var invalid = false
            let decoded = Array(text.utf8).withUnsafeBufferPointer { PercentDecoding.decode($0, sawInvalidEscape: &invalid) }
            #expect(decoded == String(decoding: bytes, as: UTF8.self), "\(text)")
            #expect(Array(decoded.utf8) == Array(String(decoding: bytes, as: UTF8.self).utf8), "\(text)")
            #expect(invalid == expectedInvalid, "\(text)")
        }
    }

    /// Names are equal as `String`s are, canonically: an NFD spelling repeats an NFC one, and U+212A KELVIN SIGN
    /// repeats "K", whether they come first or last, among few names or many.
    @Test func canonicallyEqualNamesRepeat() {
        let pairs = [("caf%C3%A9", "cafe%CC%81"), ("K", "%E2%84%AA"), ("%E2%84%AA", "K"), ("%C3%85", "%E2%84%AB")]
        for (first, second) in pairs {
            for padding in [0, 5, 40] {
                let filler = (0..<padding).map { "f\($0)=x" }
                let text = (filler + ["\(first)=one"] + filler.map { $0 + "y" } + ["\(second)=two", "z=1"]).joined(separator: "&")
                let parsed = FormParameters(parsing: text)
                var invalid = false
                let name = Array(first.utf8).withUnsafeBufferPointer { PercentDecoding.decode($0, sawInvalidEscape: &invalid) }
                #expect(parsed.entries.filter { $0.name == name }.count == 1, "\(first) \(second) \(padding)")
                #expect(parsed[name] == "one", "\(first) \(second) \(padding)")
                #expect(parsed.count == padding + 2, "\(first) \(second) \(padding)")
            }
        }
    }

    @Test func anOverlayReplacesOrAddsAndKeepsTheOrder() {
        for n in stride(from: 0, to: 120, by: 7) {
            for m in stride(from: 0, to: 60, by: 9) {
                let base = FormParameters(parsing: Self.query(n))
                let overlay = FormParameters(parsing: Self.query(m).replacingOccurrences(of: "=v", with: "=w"))
                var expected = Self.reference(Self.query(n))
                for (name, value) in Self.reference(Self.query(m).replacingOccurrences(of: "=v", with: "=w")) {
                    if let i = expected.firstIndex(where: { $0.0 == name }) { expected[i].1 = value } else { expected.append((name, value)) }
                }
                let result = base.overlaid(with: overlay)
                #expect(result.entries.map(\.name) == expected.map(\.0), "\(n) \(m)")
                #expect(result.entries.map(\.value) == expected.map(\.1), "\(n) \(m)")
                #expect(result["n3"] == expected.first(where: { $0.0 == "n3" })?.1)
            }
        }
    }
}
