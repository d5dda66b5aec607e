import Foundation
import TagRuntime
import TagTesting
import TagdJSON
import Testing

@Suite struct TagTestRunnerTests {
    /// A tag that sends purchases and page views, with the account and token from the environment.
    static let tag = TagFile(path: "tags/shop.lua", source: #"""
        return {
          trigger = { events = { "purchase", "page_view" } },
          fire = function(event, request)
            log.info("mapping " .. event.event_name)
            local ok, outcome = pinterest.send(
              { ad_account_id = env.get("ACCOUNT"), token = env.get("TOKEN"), test = false },
              { event_name = event.event_name == "purchase" and "checkout" or "page_visit", action_source = "web",
                event_time = time.now(), event_id = event.event_id or "generated",
                user_data = { client_ip_address = request.ip, client_user_agent = request.user_agent or "none" } })
            return outcome
          end,
        }
        """#)

    func run(_ json: String) async throws -> TagTestResult {
        let test = try TagTestCase(file: "tests/case.json", json: try JSONValue.parse(json))
        return await TagTestRunner(bundle: TagBundle(tags: [Self.tag], templates: [])).run(test)
    }

    static let expectedEvent = #"""
        { "event_name": "checkout", "action_source": "web", "event_time": 1767225600, "event_id": "e1",
          "user_data": { "client_ip_address": "203.0.113.7", "client_user_agent": "UA" } }
        """#

    @Test func passesWhenFiringAndBodiesMatch() async throws {
        let result = try await run(#"""
            { "name": "purchase", "now": 1767225600, "env": { "ACCOUNT": "123", "TOKEN": "t0k" },
              "hits": [ { "event": { "event_name": "purchase", "event_id": "e1" }, "request": { "ip": "203.0.113.7", "user_agent": "UA" } } ],
              "expect": { "fired": ["tags/shop.lua"],
                          "sent": [ { "tag": "tags/shop.lua", "ad_account_id": "123", "test": false, "token": "t0k", "outcome": "queued",
                                      "event": \#(Self.expectedEvent) } ] } }
            """#)
        #expect(result.passed, "\(result.failures)")
    }

    @Test func failsWithAReadableDiff() async throws {
        let result = try await run(#"""
            { "now": 1767225601, "env": { "ACCOUNT": "123" },
              "hits": [ { "event": { "event_name": "purchase", "event_id": "e1" }, "request": { "ip": "203.0.113.7", "user_agent": "UA" } } ],
              "expect": { "sent": [ { "tag": "tags/shop.lua", "ad_account_id": "123", "test": false, "event": \#(Self.expectedEvent) } ] } }
            """#)
        #expect(!result.passed)
        #expect(result.failures == ["sent[0].event.event_time: expected 1767225600, got 1767225601"])
        let report = TagTestReport(results: [result]).render()
        #expect(report.contains("FAIL  tests/case.json"))
        #expect(report.contains("log.info: mapping purchase"))
        #expect(report.hasSuffix("0 passed, 1 failed"))
    }

    @Test func statesThatNothingIsSent() async throws {
        let silent = try await run(#"""
            { "env": { "ACCOUNT": "123" }, "hits": [ { "event": { "event_name": "add_to_cart" } } ],
              "expect": { "fired": [], "sent": [] } }
            """#)
        #expect(silent.passed, "\(silent.failures)")
        let noisy = try await run(#"""
            { "env": { "ACCOUNT": "123" }, "hits": [ { "event": { "event_name": "purchase" } } ],
              "expect": { "sent": [] } }
            """#)
        #expect(noisy.failures.first == "sent: expected 0 events, got 1")
    }

    @Test func rawGA4HitsGoThroughIntake() async throws {
        let result = try await run(#"""
            { "now": 1767225600, "env": { "ACCOUNT": "123" },
              "hits": [ { "ga4": "/g/collect?v=2&tid=G-TEST&cid=1.2&en=page_view&ep.event_id=e1&dl=https%3A%2F%2Fshop.example%2F",
                          "headers": { "user-agent": "UA" }, "ip": "203.0.113.7" } ],
              "expect": { "fired": ["tags/shop.lua"], "sent": [ { "tag": "tags/shop.lua", "ad_account_id": "123", "test": false, "outcome": "dry_run",
                "event": { "event_name": "page_visit", "action_source": "web", "event_time": 1767225600, "event_id": "e1",
                           "user_data": { "client_ip_address": "203.0.113.7", "client_user_agent": "UA" } } } ] } }
            """#)
        #expect(result.passed, "\(result.failures)")
    }

    @Test func aBrokenTagFailsTheTest() async throws {
        let broken = TagFile(path: "tags/broken.lua", source: "return {")
        let test = try TagTestCase(file: "tests/x.json", json: ["hits": [["event": ["event_name": "purchase"]]], "expect": [:]])
        let result = await TagTestRunner(bundle: TagBundle(tags: [broken], templates: [])).run(test)
        #expect(result.failures.first?.hasPrefix("tag not loaded: tags/broken.lua:1:") == true, "\(result.failures)")
    }

    @Test func rejectsMalformedTestFiles() {
        #expect(throws: TagTestFormatError.self) { try TagTestCase(file: "t", json: ["hits": [], "expect": [:]]) }
        #expect(throws: TagTestFormatError.self) {
            try TagTestCase(file: "t", json: ["hits": [["event": [:]]], "expect": [:], "expcet": [:]])
        }
    }
}
