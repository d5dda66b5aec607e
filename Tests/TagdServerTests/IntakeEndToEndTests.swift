import Foundation
import Hummingbird
import HummingbirdTesting
import PinterestTesting
import TagdJSON
import Testing
import UserDataHashing

/// Hits over HTTP to a real server, conversions over HTTP to a fake Pinterest that checks every body
/// against Pinterest's published schema.
@Suite struct IntakeEndToEndTests {
    @Test func jsonHitReachesPinterestHashedAndSchemaValid() async throws {
        try await withFakePinterest { fake in
            let tagd = try TagdHarness(tags: ["pinterest.lua": TagdHarness.pinterestTag()], fake: fake)
            try await tagd.run { client in
                let response = try await client.post("/collect", json: TagdHarness.purchase, headers: [.userAgent: "UA/1.0"])
                #expect(response.status == .noContent)
                #expect(response.headers[.setCookie] == "_epik=dj0yJnU9abc; Max-Age=31536000; Path=/; Secure; SameSite=Lax")
                let requests = try await fake.waitForEvents(count: 1)
                let request = try #require(requests.first)
                #expect(request.isSchemaValid, "\(request.violations)")
                #expect(request.path == "/v5/ad_accounts/549755885175/events")
                #expect(request.headers["authorization"] == "Bearer tok")
                #expect(request.headers["content-type"]?.hasPrefix("application/json") == true)
                #expect(!request.isTestMode)
                let event = try #require(request.events.first)
                #expect(event["event_name"] == "checkout")
                #expect(event["event_id"] == "ev-42")
                #expect(event["custom_data"]?["value"] == "72.39")
                #expect(event["custom_data"]?["num_items"] == 3)
                #expect(event["user_data"]?["em"] == [.string(SHA256Hex.hash("john.smith@example.com"))])
                #expect(event["user_data"]?["ph"] == [.string(SHA256Hex.hash("16505551212"))])
                #expect(event["user_data"]?["client_ip_address"] == "127.0.0.1")
                #expect(event["user_data"]?["client_user_agent"] == "UA/1.0")
                #expect(event["user_data"]?["click_id"] == "dj0yJnU9abc")
            }
        }
    }

    @Test func ga4HitByGetAndPostMapsItemsAndUsesTestMode() async throws {
        try await withFakePinterest { fake in
            let tagd = try TagdHarness(
                tags: ["pinterest.lua": TagdHarness.pinterestTag(extra: "test = true,")], fake: fake)
            try await tagd.run { client in
                let query = "v=2&tid=G-TEST&cid=111.222&en=purchase&cu=EUR&ep.transaction_id=T-9&epn.value=25.5"
                    + "&pr1=idSKU-1~nmShirt~pr10.5~qt2&pr2=idSKU-2~pr4.5~qt1&dl=https%3A%2F%2Fshop.example%2Fthanks"
                let get = try await client.execute(uri: "/g/collect?\(query)", method: .get, headers: [.userAgent: "UA"])
                #expect(get.status == .noContent)
                let body = "en=page_view&_et=10\nen=generate_lead&ep.event_id=lead-1"
                let post = try await client.execute(
                    uri: "/g/collect?v=2&tid=G-TEST&cid=111.222&dl=https%3A%2F%2Fshop.example%2F", method: .post,
                    headers: [.userAgent: "UA", .contentType: "text/plain"], body: ByteBuffer(string: body))
                #expect(post.status == .noContent)
                let requests = try await fake.waitForEvents(count: 3)
                #expect(requests.allSatisfy { $0.isSchemaValid && $0.isTestMode })
                let events = requests.flatMap(\.events)
                let purchase = try #require(events.first { $0["event_name"] == "checkout" })
                #expect(purchase["custom_data"]?["value"] == "25.5")
                #expect(purchase["custom_data"]?["currency"] == "EUR")
                #expect(purchase["custom_data"]?["content_ids"] == ["SKU-1", "SKU-2"])
                #expect(purchase["custom_data"]?["contents"] == [
                    ["id": "SKU-1", "item_name": "Shirt", "item_price": "10.5", "quantity": 2],
                    ["id": "SKU-2", "item_price": "4.5", "quantity": 1],
                ])
                #expect(Set(events.compactMap { $0["event_name"]?.stringValue }) == ["checkout", "page_visit", "lead"])
            }
        }
    }

    @Test func eventsOfOneHitAreBatchedIntoOneRequest() async throws {
        try await withFakePinterest { fake in
            let tagd = try TagdHarness(
                tags: ["pinterest.lua": TagdHarness.pinterestTag()], fake: fake, batchDelay: .seconds(2))
            try await tagd.run { client in
                let events = (1...30).map { #"{"event_name":"add_to_cart","event_id":"e\#($0)","user_data":{"email_address":"a\#($0)@example.com"}}"# }
                let response = try await client.post("/collect", json: "[" + events.joined(separator: ",") + "]")
                #expect(response.status == .noContent)
                let requests = try await fake.waitForEvents(count: 30)
                #expect(requests.count == 1)
                #expect(requests.first?.events.count == 30)
            }
        }
    }

    @Test func rateLimitedThenAcceptedIsDeliveredOnce() async throws {
        try await withFakePinterest { fake in
            fake.enqueue(.rateLimited(retryAfterSeconds: 1), .allProcessed)
            let tagd = try TagdHarness(tags: ["pinterest.lua": TagdHarness.pinterestTag()], fake: fake)
            try await tagd.run { client in
                _ = try await client.post("/collect", json: TagdHarness.purchase)
                let requests = try await fake.waitForEvents(count: 1)
                #expect(requests.map(\.responseStatus) == [429, 200])
                #expect(requests.map(\.events.count) == [1, 1])
            }
            #expect(tagd.sender.statistics.sent == 1)
            #expect(tagd.sender.statistics.retried == 1)
        }
    }

    @Test func badRequestIsNotRetried() async throws {
        try await withFakePinterest { fake in
            fake.enqueue(.error(status: 400, code: 4196, message: "The request was invalid."))
            let tagd = try TagdHarness(tags: ["pinterest.lua": TagdHarness.pinterestTag()], fake: fake)
            try await tagd.run { client in
                _ = try await client.post("/collect", json: TagdHarness.purchase)
                _ = try await fake.waitForRequests(count: 1)
                await tagd.sender.flush()
            }
            #expect(fake.requests.count == 1)
            #expect(tagd.sender.statistics.failed == 1)
            #expect(tagd.sender.statistics.retried == 0)
        }
    }

    @Test func partialFailureCountsTheFailedEventOnly() async throws {
        try await withFakePinterest { fake in
            fake.enqueue(.partialFailure(failing: [1: "Invalid event_time."]))
            let tagd = try TagdHarness(
                tags: ["pinterest.lua": TagdHarness.pinterestTag()], fake: fake, batchDelay: .seconds(2))
            try await tagd.run { client in
                let events = (1...3).map { #"{"event_name":"add_to_cart","event_id":"p\#($0)","user_data":{"email_address":"b@example.com"}}"# }
                _ = try await client.post("/collect", json: "[" + events.joined(separator: ",") + "]")
                _ = try await fake.waitForRequests(count: 1)
                await tagd.sender.flush()
            }
            #expect(fake.requests.map(\.responseStatus) == [422])
            #expect(tagd.sender.statistics.sent == 2)
            #expect(tagd.sender.statistics.failed == 1)
        }
    }

    @Test func pinterestUnreachableStillAcceptsHitsAndCountsTheFailure() async throws {
        let tagd = try TagdHarness(
            tags: ["pinterest.lua": TagdHarness.pinterestTag()], baseURL: "http://127.0.0.1:1", maxAttempts: 2)
        try await tagd.run { client in
            let response = try await client.post("/collect", json: TagdHarness.purchase)
            #expect(response.status == .noContent)
            await tagd.sender.flush()
        }
        #expect(tagd.sender.statistics.failed == 1)
        #expect(tagd.sender.statistics.retried == 1)
    }

    @Test func shutdownFlushesWhatIsQueued() async throws {
        try await withFakePinterest { fake in
            let tagd = try TagdHarness(
                tags: ["pinterest.lua": TagdHarness.pinterestTag()], fake: fake, batchDelay: .seconds(60))
            try await tagd.run { client in
                let response = try await client.post("/collect", json: TagdHarness.purchase)
                #expect(response.status == .noContent)
                #expect(fake.requests.isEmpty)
            }
            // The server has shut down: the sender delivered the queue on its way out.
            #expect(fake.requests.flatMap(\.events).count == 1)
        }
    }
}
