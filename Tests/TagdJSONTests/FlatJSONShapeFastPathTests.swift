@testable import TagdJSON
import TestRandom
import Testing

/// The word-at-a-time paths of writing from a shape: a string copied and scanned for escapes in one pass (when
/// its last word stays inside the document's bytes), and strings the caller declares plain, copied unscanned.
@Suite struct FlatJSONShapeFastPathTests {
    /// Strings that need escapes, are not ASCII, hold control bytes, at every length around a word's.
    static func string(_ g: inout SplitMix64) -> String {
        let pieces = ["a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "ü", "€", "😀", "/", "~"]
        let count = Int(g.next() % 40)
        let plain = g.next() % 2 == 0  // half of them plain ASCII, the common case
        return String((0..<count).map { _ in
            Character(plain ? "x" : pieces[Int(g.next() % UInt64(pieces.count))])
        })
    }

    @Test func aStringCopiedWhileScannedIsWrittenAsTheWriterWritesIt() {
        var g = SplitMix64(seed: 47)
        for _ in 0..<5_000 {
            // Several strings one after another, so that some words reach past a string and some past the buffer.
            let strings = (0..<Int(1 + g.next() % 4)).map { _ in Self.string(&g) }
            var flat = FlatJSON()
            let mark = flat.beginContainer(.array, count: strings.count)
            for text in strings { flat.appendString(text) }
            flat.endContainer(mark)
            flat.withRoot { root in
                _ = root.allElements { element in
                    let utf8 = element.utf8(at: element.index)
                    var expected = JSONOutput()
                    JSONWriter.writeStringContent(utf8: utf8, to: &expected)
                    var got = JSONOutput()
                    got.append(UInt8(ascii: "<"))
                    JSONWriter.writeStringContent(utf8: utf8, within: root.bytes, to: &got)
                    got.append(UInt8(ascii: ">"))
                    #expect(got.bytes == [UInt8(ascii: "<")] + expected.bytes + [UInt8(ascii: ">")],
                            "\(String(decoding: utf8, as: UTF8.self).debugDescription)")
                    return true
                }
            }
            var whole = JSONOutput()
            flat.withRoot { $0.write(to: &whole) }
            #expect(whole.bytes == JSONValue.array(strings.map(JSONValue.string)).encoded())
        }
    }

    @Test func plainStringsAreCopiedAsTheyAre() throws {
        var g = SplitMix64(seed: 53)
        for _ in 0..<500 {
            let digits = Array("0123456789abcdef")
            let hex = (0..<64).map { _ in digits[Int(g.next() % 16)] }
            let tree: JSONValue = ["h": .array([.string(String(hex)), .string(Self.string(&g))]), "s": .string(Self.string(&g))]
            let flat = FlatJSON(tree)
            let hashNode = try #require(flat.withRoot { $0.member("h").map { $0.index + 1 } } ?? nil)
            let shape = try #require(flat.withRoot { FlatJSON.Shape(of: $0, plainStrings: [hashNode]) } ?? nil)
            var out = JSONOutput()
            flat.withRoot { shape.write($0, to: &out) }
            #expect(out.bytes == tree.encoded())
        }
    }

    @Test func keysAreComparedWholeAtEveryLength() throws {
        // Keys of 0 to 20 bytes, differing in their last byte only, with the key last in the buffer or not.
        for length in 0...20 {
            for keyLast in [false, true] {
                func document(_ last: Character) -> FlatJSON {
                    var flat = FlatJSON()
                    let mark = flat.beginContainer(.object, count: 1)
                    flat.appendString(String(repeating: "k", count: length) + (length > 0 ? String(last) : ""))
                    if keyLast { flat.append(Int64(1)) } else { flat.appendString("value") }
                    flat.endContainer(mark)
                    return flat
                }
                let base = document("a")
                let shape = try #require(base.withRoot { FlatJSON.Shape(of: $0) } ?? nil)
                #expect(base.withRoot(shape.matches) == true)
                #expect(document("b").withRoot(shape.matches) == (length == 0))
            }
        }
    }
}
