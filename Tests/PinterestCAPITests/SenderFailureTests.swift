import AsyncHTTPClient
import Logging
import PinterestCAPI
import PinterestTesting
import TagdJSON
import Testing

/// What the sender does with Pinterest's error answers and with no answer at all.
@Suite struct SenderFailureTests {
    @Test func rateLimitIsRetriedAfterRetryAfterAndDeliveredOnce() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            fake.enqueue(.rateLimited(retryAfterSeconds: 7))
            for n in 0..<2 { try harness.submit(validEvent(id: "e\(n)"), to: destination()) }
            await harness.sender.flush()

            let requests = fake.requests
            #expect(requests.map(\.responseStatus) == [429, 200])
            #expect(requests[0].body == requests[1].body, "the retry sends the same batch")
            #expect(harness.sleeps.all == [.seconds(7)], "Retry-After replaces the backoff")
            let stats = harness.sender.statistics
            #expect(stats.sent == 2 && stats.retried == 2 && stats.failed == 0 && stats.requests == 2)
            #expect(harness.counter("pinterest_events_retried_total") == 2)
            #expect(try harness.metrics.expectTimer("pinterest_request_duration_seconds", [("status", "429")]).values.count == 1)
            #expect(harness.logs.lines(containing: "will be retried").count == 1)
        }
    }

    @Test func serverErrorIsRetriedWithBackoff() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            fake.enqueue(.serverError(status: 500), .serverError(status: 503))
            try harness.submit(validEvent(), to: destination())
            await harness.sender.flush()

            #expect(fake.requests.map(\.responseStatus) == [500, 503, 200])
            // Jitter is pinned to the ceiling in tests: base, then twice the base.
            #expect(harness.sleeps.all == [.milliseconds(500), .seconds(1)])
            #expect(harness.sender.statistics.sent == 1)
            #expect(harness.sender.statistics.failed == 0)
        }
    }

    @Test(arguments: [400, 401, 403])
    func refusalsAreNotRetriedAndAreLoggedWithPinterestsCode(status: Int) async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            fake.enqueue(.error(status: status, code: 4196, message: "The request was invalid."))
            for n in 0..<3 { try harness.submit(validEvent(id: "e\(n)"), to: destination()) }
            await harness.sender.flush()

            #expect(fake.requests.count == 1)
            #expect(harness.sleeps.all.isEmpty)
            #expect(harness.sender.statistics.failed == 3)
            #expect(harness.sender.statistics.sent == 0)
            #expect(harness.counter("pinterest_events_failed_total") == 3)
            let line = try #require(harness.logs.lines(containing: "pinterest refused a batch").first)
            #expect(line.level == .error)
            #expect(line.metadata["http.status"] == "\(status)")
            #expect(line.metadata["pinterest.code"] == "4196")
            #expect(line.metadata["pinterest.message"] == "The request was invalid.")
        }
    }

    @Test func anUnscriptedBadTokenIsRefusedByTheFakeAndNotRetried() async throws {
        // The fake checks Authorization itself: a "Bearer " with nothing after it is a 401.
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            try harness.submit(validEvent(), to: destination(token: " "))
            await harness.sender.flush()
            #expect(fake.requests.map(\.responseStatus) == [401])
            #expect(harness.sender.statistics.failed == 1)
            #expect(harness.logs.lines(containing: "pinterest refused a batch").first?.metadata["pinterest.code"] == "2")
        }
    }

    @Test func partialFailureCountsEachEventAndLogsTheFailedOne() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            fake.enqueue(.partialFailure(failing: [1: "event_time is too old"]))
            for n in 0..<3 { try harness.submit(validEvent(id: "e\(n)"), to: destination()) }
            await harness.sender.flush()

            #expect(fake.requests.map(\.responseStatus) == [422])
            let stats = harness.sender.statistics
            #expect(stats.sent == 2)
            #expect(stats.failed == 1)
            #expect(stats.retried == 0)
            #expect(harness.counter("pinterest_events_sent_total") == 2)
            #expect(harness.counter("pinterest_events_failed_total") == 1)
            let lines = harness.logs.lines(containing: "pinterest refused an event")
            #expect(lines.count == 1)
            #expect(lines.first?.metadata["pinterest.event_id"] == "e1")
            #expect(lines.first?.metadata["pinterest.error"] == "event_time is too old")
        }
    }

    @Test func unreachablePinterestIsRetriedABoundedNumberOfTimesThenFails() async throws {
        let closedPort = try await withFakePinterest { $0.port }  // bound, then closed again
        let client = PinterestSender.makeHTTPClient()
        let harness = SenderHarness(baseURL: "http://127.0.0.1:\(closedPort)", maxAttempts: 3, httpClient: client)
        for n in 0..<4 { try harness.submit(validEvent(id: "e\(n)"), to: destination()) }
        let started = ContinuousClock.now
        await harness.sender.flush()
        try await client.shutdown()
        #expect(ContinuousClock.now - started < .seconds(4), "each attempt fails at once, not after the request timeout")

        let stats = harness.sender.statistics
        #expect(stats.requests == 3)
        #expect(stats.retried == 8, "two retries of four events")
        #expect(stats.failed == 4)
        #expect(stats.sent == 0)
        #expect(harness.sleeps.all == [.milliseconds(500), .seconds(1)])
        #expect(harness.logs.lines(containing: "retries exhausted").count == 1)
        #expect(try harness.metrics.expectTimer("pinterest_request_duration_seconds", [("status", "network_error")]).values.count == 3)
    }
}
