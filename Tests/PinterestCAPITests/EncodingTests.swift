@testable import PinterestCAPI
import NIOCore
import TagdJSON
import Testing

/// Events are encoded once at submit (`JSONValue.encoded()`, tested in TagdJSONTests) and joined into
/// batch bodies by `BatchBody`: a body must be exactly the encoding of the whole `{"data": [...]}` object.
@Suite struct EncodingTests {
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
        // The outbox keeps only the bytes: name and id read back from them are the same.
        #expect(EncodedEvent(json: encoded.json) == encoded)
        #expect(OutboxEntry(id: 7, destination: destination(), event: encoded).event == encoded)
        let unnamed = EncodedEvent(json: Array(#"{"event_id":5}"#.utf8))
        #expect(unnamed.eventName == "" && unnamed.eventID == "")
        #expect(EncodedEvent(json: Array("not json".utf8)).eventID == "")
    }
}
