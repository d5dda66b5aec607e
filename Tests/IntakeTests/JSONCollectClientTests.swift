import Intake
import Testing
import TagdJSON

@Suite("JSON /collect")
struct JSONCollectClientTests {
    static let purchase = """
        {"event_name":"purchase","client_id":"123.456","value":72.39,"currency":"USD",
         "user_data":{"email_address":"john@example.com"},"items":[{"item_id":"SKU-1","price":19.99,"quantity":2}]}
        """

    @Test("an object is one event, passed through, with ip_override and user_agent added")
    func singleObject() throws {
        let events = try Fixture.events(Fixture.jsonHit(Self.purchase))
        #expect(events == [[
            "event_name": "purchase", "client_id": "123.456", "value": 72.39, "currency": "USD",
            "user_data": ["email_address": "john@example.com"],
            "items": [["item_id": "SKU-1", "price": 19.99, "quantity": 2]],
            "ip_override": .string(Fixture.clientAddress), "user_agent": .string(Fixture.browserAgent),
        ]])
    }

    @Test("an array of objects is a batch, in order")
    func arrayOfObjects() throws {
        let events = try Fixture.events(Fixture.jsonHit(#"[{"event_name":"page_view"},{"event_name":"scroll","percent":90}]"#))
        #expect(events.map { $0["event_name"] } == ["page_view", "scroll"])
        #expect(events[1]["percent"] == 90)
        #expect(events.allSatisfy { $0["ip_override"] == .string(Fixture.clientAddress) })
    }

    @Test("sendBeacon's text/plain, JSON with parameters, and no content type are accepted",
          arguments: ["text/plain;charset=UTF-8", "application/json; charset=utf-8", "Application/JSON", " TEXT/PLAIN ", nil] as [String?])
    func acceptedContentTypes(contentType: String?) throws {
        let events = try Fixture.events(Fixture.jsonHit(#"{"event_name":"page_view"}"#, contentType: contentType))
        #expect(events.count == 1)
    }

    @Test("other content types get 415", arguments: ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
                     "application/jsonx", "application/jso", "text/plainn", "application/json\u{301}"])
    func unsupportedContentType(contentType: String) throws {
        let error = try #require(Fixture.error(Fixture.jsonHit(#"{"event_name":"page_view"}"#, contentType: contentType)))
        #expect(error == .unsupportedMediaType(contentType))
        #expect(error.httpStatus == 415)
    }

    @Test("values already in the event are kept, null counts as absent")
    func keepsSenderValues() throws {
        let body = #"{"event_name":"purchase","ip_override":"192.0.2.1","user_agent":null}"#
        let event = try #require(try Fixture.events(Fixture.jsonHit(body)).first)
        #expect(event["ip_override"] == "192.0.2.1")
        #expect(event["user_agent"] == .string(Fixture.browserAgent))
    }

    @Test("malformed JSON is 400 and says where")
    func malformedJSON() throws {
        let error = try #require(Fixture.error(Fixture.jsonHit(#"{"a": 1,, }"#)))
        #expect(error.httpStatus == 400)
        #expect(error.description == "malformed JSON at byte 8: expected a string key", "\(error)")
    }

    @Test("truncated JSON is 400")
    func truncatedJSON() throws {
        let error = try #require(Fixture.error(Fixture.jsonHit(#"[{"event_name":"page_view"}"#)))
        #expect(error.httpStatus == 400)
        #expect(error.description.hasPrefix("malformed JSON"))
    }

    @Test("a body that is not an object or an array of objects is malformed", arguments: [
        ("42", "the body is an integer; send a JSON object or an array of objects"),
        (#""page_view""#, "the body is a string; send a JSON object or an array of objects"),
        ("null", "the body is a null; send a JSON object or an array of objects"),
        (#"[{"event_name":"a"}, 7]"#, "element 1 of the array is an integer, not an object"),
        (#"[[]]"#, "element 0 of the array is an array, not an object"),
        ("[]", "the array of events is empty"),
        ("  \n", "request body is empty; send a JSON object or an array of objects"),
        ("", "request body is empty; send a JSON object or an array of objects"),
    ])
    func notObjects(body: String, message: String) throws {
        let error = try #require(Fixture.error(Fixture.jsonHit(body)))
        #expect(error == .malformed(message))
    }

    @Test("event_name must be a non-empty string", arguments: [
        (#"{"value":1}"#, "the event has no event_name"),
        (#"{"event_name":""}"#, "the event has an empty event_name"),
        (#"{"event_name":5}"#, "the event has an event_name that is an integer, not a string"),
        (#"[{"event_name":"ok"},{"event_name":null}]"#, "element 1 of the array has an event_name that is a null, not a string"),
    ])
    func eventNameRequired(body: String, message: String) throws {
        let error = try #require(Fixture.error(Fixture.jsonHit(body)))
        #expect(error == .malformed(message))
    }

    @Test("a body over the limit is 413")
    func bodyTooLarge() throws {
        let configuration = IntakeConfiguration(bodyLimit: 32)
        let body = #"{"event_name":"page_view","pad":"\#(String(repeating: "x", count: 32))"}"#
        let error = try #require(Fixture.error(Fixture.jsonHit(body), configuration))
        #expect(error == .bodyTooLarge(limit: 32))
        #expect(error.httpStatus == 413)
    }

    @Test("the default limit is 256 KiB")
    func defaultLimit() throws {
        let padding = String(repeating: "x", count: 256 * 1024)
        let error = try #require(Fixture.error(Fixture.jsonHit(#"{"event_name":"a","p":"\#(padding)"}"#)))
        #expect(error == .bodyTooLarge(limit: 262_144))
        let justUnder = String(repeating: "x", count: 256 * 1024 - 40)
        #expect(try Fixture.events(Fixture.jsonHit(#"{"event_name":"a","p":"\#(justUnder)"}"#)).count == 1)
    }

    @Test("methods other than POST get 405", arguments: ["GET", "PUT"])
    func wrongMethod(method: String) throws {
        let error = try #require(Fixture.error(Fixture.jsonHit(#"{"event_name":"a"}"#, method: method)))
        #expect(error == .methodNotAllowed(method))
        #expect(error.httpStatus == 405)
    }
}
