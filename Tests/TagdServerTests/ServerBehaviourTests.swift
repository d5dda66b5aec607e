import Foundation
import Hummingbird
import HummingbirdTesting
import PinterestTesting
import TagdJSON
import Testing

@Suite struct ServerBehaviourTests {
    static let echoTag = #"""
        return { trigger = { events = { "*" } }, fire = function(event, request)
          response.set_cookie("seen", event.event_name)
          return "ok"
        end }
        """#

    /// Each of these runs on both hit paths: answered on the event loop (the default) and through the router.
    @Test(arguments: [true, false])
    func badInputGetsClearErrors(onEventLoop: Bool) async throws {
        let tagd = try TagdHarness(tags: ["echo.lua": Self.echoTag]) {
            $0.maxBodyBytes = 1024
            $0.hitsOnEventLoop = onEventLoop
        }
        try await tagd.run { client in
            let malformed = try await client.post("/collect", json: #"{"event_name": "x",}"#)
            #expect(malformed.status == .badRequest)
            let error = try JSONValue.parse(Array(buffer: malformed.body))
            #expect(error["error"] == "malformed_request")
            #expect(error["detail"]?.stringValue?.hasPrefix("malformed JSON at byte") == true)

            let large = try await client.post("/collect", json: #"{"event_name":"x","pad":"\#(String(repeating: "a", count: 2000))"}"#)
            #expect(large.status == .contentTooLarge)

            let put = try await client.execute(uri: "/collect", method: .put, body: ByteBuffer(string: "{}"))
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "POST")

            let ga4 = try await client.execute(uri: "/g/collect?v=1&en=x", method: .get)
            #expect(ga4.status == .badRequest)

            let unknown = try await client.execute(uri: "/nope", method: .get)
            #expect(unknown.status == .notFound)

            // The server is fine after all that.
            let good = try await client.post("/collect", json: #"{"event_name":"page_view"}"#)
            #expect(good.status == .noContent)
            #expect(good.headers[.setCookie] == "seen=page_view; Path=/; Secure; SameSite=Lax")
        }
    }

    @Test(arguments: [true, false])
    func corsAllowsOnlyConfiguredOriginsWithCredentials(onEventLoop: Bool) async throws {
        let tagd = try TagdHarness(tags: ["echo.lua": Self.echoTag]) {
            $0.corsOrigins = ["https://shop.example"]
            $0.hitsOnEventLoop = onEventLoop
        }
        try await tagd.run { client in
            let allowed = try await client.post("/collect", json: #"{"event_name":"page_view"}"#, headers: [.origin: "https://shop.example"])
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://shop.example")
            #expect(allowed.headers[.accessControlAllowCredentials] == "true")
            let other = try await client.post("/collect", json: #"{"event_name":"page_view"}"#, headers: [.origin: "https://evil.example"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            let preflight = try await client.execute(
                uri: "/collect", method: .options,
                headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
        }
    }

    @Test(arguments: [true, false])
    func gifForGetWhenConfigured(onEventLoop: Bool) async throws {
        let tagd = try TagdHarness(tags: ["echo.lua": Self.echoTag]) {
            $0.gifForGet = true
            $0.hitsOnEventLoop = onEventLoop
        }
        try await tagd.run { client in
            let response = try await client.execute(uri: "/g/collect?v=2&en=page_view&cid=1.2", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "image/gif")
            #expect(Array(Array(buffer: response.body).prefix(6)) == [0x47, 0x49, 0x46, 0x38, 0x39, 0x61])
        }
    }

    @Test func hostileAndBrokenTagsDoNotAffectOthers() async throws {
        try await withFakePinterest { fake in
            let tagd = try TagdHarness(
                tags: [
                    "a_loops.lua": "return { trigger = { events = { '*' } }, fire = function() while true do end end }",
                    "b_throws.lua": "return { trigger = { events = { '*' } }, fire = function(e) error('boom') end }",
                    "c_broken.lua": "return {",
                    "d_pinterest.lua": TagdHarness.pinterestTag(),
                ], fake: fake
            ) { $0.luaInstructionLimit = 100_000 }
            try await tagd.run { client in
                for index in 1...3 {
                    let response = try await client.post(
                        "/collect", json: #"{"event_name":"purchase","event_id":"h\#(index)","user_data":{"email_address":"x@example.com"}}"#)
                    #expect(response.status == .noContent)
                }
                let requests = try await fake.waitForEvents(count: 3)
                #expect(requests.flatMap(\.events).count == 3)
                let metrics = try await client.execute(uri: "/metrics", method: .get)
                let text = String(buffer: metrics.body)
                #expect(text.contains(#"tagd_budget_kills_total{tag="tags/a_loops.lua",kind="instructions"}"#))
                #expect(text.contains(#"tagd_tag_runs_total{tag="b_throws",outcome="failed"}"#))
            }
            #expect(tagd.liveTags.files.first { $0.path.hasSuffix("c_broken.lua") }?.lastError?.contains("c_broken.lua:1:") == true)
        }
    }

    @Test func healthAndMetricsAnswer() async throws {
        let tagd = try TagdHarness(tags: ["echo.lua": Self.echoTag])
        try await tagd.run { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            _ = try await client.post("/collect", json: #"{"event_name":"page_view"}"#)
            _ = try await client.post("/collect", json: "{")
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"tagd_hits_total{client="json",outcome="accepted"}"#))
            #expect(metrics.contains(#"tagd_hits_total{client="json",outcome="malformed_request"}"#))
        }
    }
}
