import TagdJSON
import Testing

/// `appendNodes(copying:)`: nodes adopted as bytes are the document they came from, and bytes that are not
/// nodes are refused whole.
@Suite struct FlatJSONNodeMemoryTests {
    static let source = #"{"a":[1,2.5,"x",null,true],"b":{"c":"é"},"d":[]}"#

    @Test func copiedNodesAreTheDocument() throws {
        let parsed = try FlatJSON.parse(Array(Self.source.utf8))
        var copy = FlatJSON()
        _ = parsed.bytes.withUnsafeBufferPointer { copy.appendSource($0) }
        #expect(parsed.withNodeMemory { copy.appendNodes(copying: $0) })
        #expect(copy.jsonValue == parsed.jsonValue)
        #expect(copy.encoded() == parsed.encoded())
        #expect(copy.nodes.map(\.isASCII) == parsed.nodes.map(\.isASCII))
    }

    @Test func bytesThatAreNotNodesAreRefusedWhole() throws {
        let parsed = try FlatJSON.parse(Array(Self.source.utf8))
        let layout = FlatJSON.nodeLayout
        #expect(layout.count == 6 && layout.allSatisfy { $0 >= 0 })
        var raw = parsed.withNodeMemory { Array($0) }
        var badKind = raw
        badKind[layout[0] * 3 + layout[4]] = JSONKind.object.rawValue + 1
        var badFlag = raw
        badFlag[layout[0] * 2 + layout[5]] = 2
        raw.removeLast()
        for bytes in [badKind, badFlag, raw] {
            var document = FlatJSON()
            #expect(!bytes.withUnsafeBytes { document.appendNodes(copying: $0) })
            #expect(document.nodes.isEmpty)
        }
    }
}
