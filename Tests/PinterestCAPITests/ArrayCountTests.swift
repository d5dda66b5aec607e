import TestRandom
import TagdJSON
import Testing

/// FakePinterestServer's lean mode counts a body's events with `JSONValue.countOfArray` instead of
/// parsing it: that must accept and count exactly what the parser gives as a top-level `data` array.
@Suite struct ArrayCountTests {
    func scanned(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { JSONValue.countOfArray(named: "data", inObject: $0) }
    }

    func parsed(_ bytes: [UInt8]) -> Int? {
        guard let document = try? JSONValue.parse(bytes), case .object(let members) = document else { return nil }
        return members["data"]?.arrayValue?.count
    }

    static let documents: [String] = [
        #"{"data":[]}"#, #"{"data":[1,2,3]}"#, #" { "data" : [ {"a":[1,{"b":2}]} , "x,y" , null ] } "#,
        #"{"data":[1],"data":[1,2]}"#, #"{"data":[1],"data":2}"#, #"{"data":2,"data":[1]}"#, #"{"d\u0061ta":[1,2]}"#,
        #"{"da\"ta":[1]}"#, #"{"datum":[1]}"#, #"{"x":{"data":[1,2]}}"#, #"[{"data":[1]}]"#, #"{"data":[1]} x"#,
        #"{"data":[1,]}"#, #"{"data":[1 2]}"#, #"{"data":[01]}"#, #"{"data":[-]}"#, #"{"data":[1.]}"#, #"{"data":[1e]}"#,
        #"{"data":[1e999]}"#, #"{"data":[-1.5e-3, 0, -0, 1E+2]}"#, #"{"data":[123456789012345678901234567890]}"#,
        #"{"data":["\q"]}"#, #"{"data":["\u12G4"]}"#, #"{"data":["\ud83d\ude42 \/ \b\f\n\r\t"]}"#, "{\"data\":[\"a\u{1}b\"]}",
        #"{"data":[tru]}"#, #"{"data":[true,false,null]}"#, #"{"data":["unterminated]}"#, #"{"data":[1]"#, "", " ",
        #"{}"#, #"{"a":1,}"#, #"{,"data":[1]}"#, #"{"data" [1]}"#, #"{"data":[{"k":1,"k":2}]}"#, "{\"data\":[\"é🙂\"]}",
        String(repeating: "[", count: 127) + String(repeating: "]", count: 127),
        #"{"data":"# + String(repeating: "[", count: 127) + String(repeating: "]", count: 127) + "}",
        #"{"data":"# + String(repeating: "[", count: 128) + String(repeating: "]", count: 128) + "}",
    ]

    @Test func agreesWithTheParser() {
        for text in Self.documents {
            let bytes = Array(text.utf8)
            #expect(scanned(bytes) == parsed(bytes), "\(text.prefix(80))")
        }
        let events = (0..<1000).map { validEvent(id: "e\($0)") }
        let body = JSONValue.object(["data": .array(events)]).encoded()
        #expect(scanned(body) == 1000)
    }

    @Test func agreesWithTheParserOnMutatedBodies() {
        var generator = SplitMix64(seed: 11)
        let body = JSONValue.object(["data": .array((0..<3).map { validEvent(id: "e\($0)") })]).encoded()
        let replacements = Array("{}[],:\"\\ 0-.eE1tfnu".utf8) + [0x01, 0xFF]
        for _ in 0..<2_000 {
            var bytes = body
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = replacements.randomElement(using: &generator) ?? 0
                case 1: bytes.remove(at: index)
                default: bytes.insert(replacements.randomElement(using: &generator) ?? 0, at: index)
                }
            }
            #expect(scanned(bytes) == parsed(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
    }
}
