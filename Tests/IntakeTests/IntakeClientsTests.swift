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

    /// Root, two keys, their string and array: 5 values, plus the array's elements, plus the `ip_override` and
    /// `user_agent` intake adds (4).
    @Test("an event of more than maxValuesPerEvent values is a 400, at any place in a batch")
    func eventsAreCappedInValues() throws {
        func event(_ elements: Int) -> String {
            #"{"event_name":"x","a":["# + Array(repeating: "0", count: elements).joined(separator: ",") + "]}"
        }
        let largest = IntakeClients.maxValuesPerEvent - 9
        #expect(try Fixture.process(Fixture.jsonHit(event(largest))).flatEvents.first?.nodes.count == IntakeClients.maxValuesPerEvent)
        let tooMany = Fixture.error(Fixture.jsonHit(event(largest + 1)))
        #expect(tooMany == .malformed("the event holds \(IntakeClients.maxValuesPerEvent + 1) values (keys, values and containers); at most \(IntakeClients.maxValuesPerEvent) are accepted"))
        #expect(tooMany?.httpStatus == 400)
        let batch = Fixture.error(Fixture.jsonHit("[" + event(1) + "," + event(largest + 1) + "]"))
        #expect(batch?.description.hasPrefix("event 2 of the hit holds") == true)
    }

    @Test("a hit of more than maxEventsPerHit events, or an item of more than 64 fields, is a 400")
    func hitsAndItemsAreCapped() throws {
        let limit = IntakeClients.maxEventsPerHit
        let events = { (n: Int) in "[" + Array(repeating: #"{"event_name":"x"}"#, count: n).joined(separator: ",") + "]" }
        #expect(try Fixture.process(Fixture.jsonHit(events(limit))).flatEvents.count == limit)
        #expect(Fixture.error(Fixture.jsonHit(events(limit + 1))) == .malformed("the hit holds \(limit + 1) events; at most \(limit) are accepted"))
        let lines = { (n: Int) in Array(repeating: "en=x", count: n).joined(separator: "\n") }
        #expect(try Fixture.process(Fixture.hit("POST", "/g/collect", query: "v=2", body: lines(limit))).flatEvents.count == limit)
        #expect(Fixture.error(Fixture.hit("POST", "/g/collect", query: "v=2", body: lines(limit + 1)))
            == .malformed("the /g/collect body holds more than \(limit) events"))
        let fields = { (n: Int) in (0..<n).map { "z\($0 % 10)\($0)" }.joined(separator: "~") }
        #expect(try Fixture.process(Fixture.hit("/g/collect", query: "v=2&en=x&pr1=" + fields(64))).events.first?["items"] != nil)
        #expect(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=x&pr1=" + fields(65)))
            == .malformed("the query string: pr1 has more than 64 fields"))
    }

    @Test("trusted proxies from the configuration reach the events")
    func configurationReachesEvents() throws {
        let configuration = IntakeConfiguration(trustedProxies: try TrustedProxies(["10.0.0.0/8"]))
        let hit = Fixture.hit("/g/collect", query: "v=2&en=a", headers: [("X-Forwarded-For", "198.51.100.7")], peer: "10.0.0.2")
        let result = try Fixture.process(hit, configuration)
        #expect(result.events.first?["ip_override"] == "198.51.100.7")
        #expect(result.request.clientIP == "198.51.100.7")
    }

    /// The common entry adds `ip_override` / `user_agent` without building the whole `RequestInfo`, and works that
    /// out only when asked: both must agree with `RequestInfo` built from the same hit, whatever the headers.
    @Test("the request worked out on demand is the one built from the hit; events carry its IP and user agent")
    func requestOnDemandMatchesRequestInfo() throws {
        let configuration = IntakeConfiguration(trustedProxies: try TrustedProxies(["10.0.0.0/8", "::1/128"]))
        let headerSets: [[(name: String, value: String)]] = [
            [],
            [("User-Agent", "A")],
            [("user-agent", "A"), ("USER-AGENT", "B")],
            [("X-Forwarded-For", "198.51.100.7, 10.0.0.9"), ("X-Forwarded-For", "10.0.0.3"), ("User-Agent", "A")],
            [("X-Real-IP", "203.0.113.5"), ("Cookie", "a=1"), ("cookie", "b=2"), ("Origin", "https://shop.example")],
            [("X-Real-IP", "203.0.113.5"), ("X-Real-IP", "203.0.113.6")],
            [("X-Forwarded-For", "unknown, 198.51.100.7"), ("Accept-Language", "en"), ("accept-language", "de")],
        ]
        for peer in ["10.0.0.2", "192.0.2.1", "::ffff:10.0.0.2", "::1", "/tmp/socket"] as [String?] + [nil] {
            for headers in headerSets {
                let expected = RequestInfo(hit: Fixture.hit("/g/collect", query: "v=2&en=a", headers: headers, peer: peer),
                                           trustedProxies: configuration.trustedProxies)
                let hits = [
                    Fixture.hit("/g/collect", query: "v=2&en=a", headers: headers, peer: peer),
                    Fixture.hit("POST", "/collect", query: "v=2&en=a", body: #"{"event_name":"a"}"#,
                                headers: headers + [("Content-Type", "application/json")], peer: peer),
                ]
                for hit in hits {
                    let result = try Fixture.process(hit, configuration)
                    let request = RequestInfo(hit: hit, trustedProxies: configuration.trustedProxies)
                    #expect(result.request == request)
                    #expect(result.request.clientIP == expected.clientIP)
                    #expect(result.request.userAgent == expected.userAgent)
                    let event = try #require(result.events.first)
                    #expect(event["ip_override"] == expected.clientIP.map(JSONValue.string))
                    #expect(event["user_agent"] == expected.userAgent.map(JSONValue.string))
                }
            }
        }
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
