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
        func settingEnd(of node: Int, to end: UInt32) -> [UInt8] {
            var copy = raw
            withUnsafeBytes(of: end) { copy.replaceSubrange(layout[0] * node + layout[3]..<layout[0] * node + layout[3] + 4, with: $0) }
            return copy
        }
        let endPast = settingEnd(of: 1, to: UInt32(parsed.nodes.count + 1))
        let endBefore = settingEnd(of: 2, to: 2)
        // Node 1 is the key "a": a string running past the bytes.
        var stringPast = raw
        withUnsafeBytes(of: UInt64(parsed.bytes.count)) {
            stringPast.replaceSubrange(layout[0] + layout[1]..<layout[0] + layout[1] + 8, with: $0)
        }
        raw.removeLast()
        for nodeBytes in [badKind, badFlag, endPast, endBefore, stringPast, raw] {
            var document = FlatJSON()
            _ = parsed.bytes.withUnsafeBufferPointer { document.appendSource($0) }
            #expect(!nodeBytes.withUnsafeBytes { document.appendNodes(copying: $0) })
            #expect(document.nodes.isEmpty)
        }
    }
}
