import Intake
import Testing
import TagdJSON

@Suite("Common entry and errors")
struct IntakeClientsTests {
    @Test("dispatches on path; other paths are not served")
    func dispatch() throws {
        let ga4 = try Fixture.process(Fixture.hit("/g/collect", query: "v=2&en=page_view&cid=1.2"))
        #expect(ga4.events.first?["client_id"] == "1.2")
        #expect(ga4.request.queryParameters["cid"] == "1.2")
        let json = try Fixture.process(Fixture.jsonHit(#"{"event_name":"x"}"#))
        #expect(json.events.first?["event_name"] == "x")
        #expect(try IntakeClients().process(Fixture.hit("/g/collect/", query: "v=2&en=a")) == nil)
        #expect(try IntakeClients().process(Fixture.hit("/other")) == nil)
    }

    @Test("trusted proxies from the configuration reach the events")
    func configurationReachesEvents() throws {
        let configuration = IntakeConfiguration(trustedProxies: try TrustedProxies(["10.0.0.0/8"]))
        let hit = Fixture.hit("/g/collect", query: "v=2&en=a", headers: [("X-Forwarded-For", "198.51.100.7")], peer: "10.0.0.2")
        let result = try Fixture.process(hit, configuration)
        #expect(result.events.first?["ip_override"] == "198.51.100.7")
        #expect(result.request.clientIP == "198.51.100.7")
    }

    @Test("allowed methods per path, for the Allow header")
    func allowedMethods() {
        #expect(IntakeClients.allowedMethods(forPath: "/collect") == ["POST"])
        #expect(IntakeClients.allowedMethods(forPath: "/g/collect") == ["GET", "POST"])
        #expect(IntakeClients.allowedMethods(forPath: "/x") == nil)
    }

    @Test("each error has its status and a JSON body with a code and the detail")
    func errorBodies() {
        let cases: [(IntakeError, Int, String)] = [
            (.malformed("line 3 of the /g/collect body: invalid percent-encoding"), 400, "malformed_request"),
            (.bodyTooLarge(limit: 1024), 413, "body_too_large"),
            (.methodNotAllowed("PUT"), 405, "method_not_allowed"),
            (.unsupportedMediaType("application/xml"), 415, "unsupported_media_type"),
        ]
        for (error, status, code) in cases {
            #expect(error.httpStatus == status)
            #expect(error.responseBody == .object(["error": .string(code), "detail": .string(error.description)]))
        }
        #expect(IntakeError.bodyTooLarge(limit: 1024).description == "request body is larger than the limit of 1024 bytes")
        #expect(IntakeError.methodNotAllowed("PUT").description == "method PUT is not allowed on this endpoint")
        #expect(IntakeError.malformed("line 3: x").responseBody.encodedString() == #"{"detail":"line 3: x","error":"malformed_request"}"#)
    }
}
