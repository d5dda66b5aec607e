import Dedup
import PinterestCAPI
import PinterestTesting
import TagdJSON
import Testing

/// The sender against the fake Pinterest over real HTTP: what is sent, and how it is batched.
@Suite struct SenderDeliveryTests {
    @Test func sendsASchemaValidBodyWithPinterestHeaders() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            let events = (1...3).map { validEvent(id: "e\($0)") }
            for event in events { try harness.submit(event, to: destination("549755885175", token: "tok-123")) }
            await harness.sender.flush()

            let requests = fake.requests
            try #require(requests.count == 1)
            let request = requests[0]
            #expect(request.method == "POST")
            #expect(request.path == "/v5/ad_accounts/549755885175/events")
            #expect(request.query == nil)
            #expect(request.headers["authorization"] == "Bearer tok-123")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.isSchemaValid, "\(request.violations)")
            #expect(request.responseStatus == 200)
            #expect(request.body == ["data": .array(events)])
            // Byte for byte what encoding the whole body as one JSON value writes.
            #expect(request.rawBody == JSONValue.object(["data": .array(events)]).encoded())

            #expect(harness.sender.statistics.sent == 3)
            #expect(harness.sender.statistics.queued == 3)
            #expect(harness.counter("pinterest_events_queued_total") == 3)
            #expect(harness.counter("pinterest_events_sent_total") == 3)
            #expect(try harness.metrics.expectRecorder("pinterest_batch_size").values == [3])
            #expect(try harness.metrics.expectTimer("pinterest_request_duration_seconds", [("status", "200")]).values.count == 1)
        }
    }

    @Test func testModeAddsTheTestQuery() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            try harness.submit(validEvent(), to: destination(testMode: true))
            await harness.sender.flush()
            let request = try #require(fake.requests.first)
            #expect(request.query == "test=true")
            #expect(request.isTestMode)
            #expect(request.isSchemaValid)
        }
    }

    @Test func sendsAtMostAThousandEventsPerRequestInOrder() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            for n in 0..<2_500 { try harness.submit(validEvent(id: "e\(n)"), to: destination()) }
            await harness.sender.flush()

            let requests = fake.requests
            #expect(requests.map(\.events.count) == [1000, 1000, 500])
            #expect(requests.allSatisfy { $0.isSchemaValid })
            let ids = requests.flatMap(\.events).compactMap { $0["event_id"]?.stringValue }
            #expect(ids == (0..<2_500).map { "e\($0)" })
            #expect(harness.sender.statistics.sent == 2_500)
            #expect(try harness.metrics.expectRecorder("pinterest_batch_size").values == [1000, 1000, 500])
        }
    }

    @Test func eachDestinationGetsItsOwnRequests() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            for n in 0..<3 { try harness.submit(validEvent(id: "a\(n)"), to: destination("111", token: "token-a")) }
            for n in 0..<2 { try harness.submit(validEvent(id: "b\(n)"), to: destination("222", token: "token-b")) }
            await harness.sender.flush()

            let byAccount = Dictionary(grouping: fake.requests, by: \.adAccountID)
            #expect(byAccount.keys.sorted() == ["111", "222"])
            #expect(byAccount["111"]?.map(\.events.count) == [3])
            #expect(byAccount["222"]?.map(\.events.count) == [2])
            #expect(byAccount["111"]?.first?.headers["authorization"] == "Bearer token-a")
            #expect(byAccount["222"]?.first?.headers["authorization"] == "Bearer token-b")
        }
    }

    @Test func theRunLoopSendsAFullBatchAtOnce() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL, maxBatchDelay: .seconds(3600))
            let runner = Task { try await harness.sender.run() }
            for n in 0..<1_000 { try harness.submit(validEvent(id: "e\(n)"), to: destination()) }
            // Not flushed, and the batch delay is an hour: only a full batch can have gone.
            let requests = try await fake.waitForEvents(count: 1_000)
            #expect(requests.map(\.events.count) == [1000])
            #expect(await harness.sender.shutdown(deadline: .now + .seconds(10)) == 0)
            try await runner.value
        }
    }

    @Test func theRunLoopSendsAPartialBatchAfterTheBatchDelay() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL, maxBatchDelay: .milliseconds(20))
            let runner = Task { try await harness.sender.run() }
            try harness.submit(validEvent(id: "lonely"), to: destination())
            let requests = try await fake.waitForEvents(count: 1)
            #expect(requests.map(\.events.count) == [1])
            await harness.sender.shutdown(deadline: .now + .seconds(10))
            try await runner.value
        }
    }

    @Test func aRepeatOfAdAccountEventNameAndEventIDIsDropped() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            let sender = harness.sender
            #expect(try sender.submit(validEvent(id: "x", name: "checkout"), to: destination("111")) == .queued)
            #expect(try sender.submit(validEvent(id: "x", name: "checkout"), to: destination("111")) == .duplicate)
            // Same id under another name or another ad account is a different event.
            #expect(try sender.submit(validEvent(id: "x", name: "add_to_cart"), to: destination("111")) == .queued)
            #expect(try sender.submit(validEvent(id: "x", name: "checkout"), to: destination("222")) == .queued)
            await sender.flush()
            // Still a duplicate after it was sent: the window is 48 hours, not the queue.
            #expect(try sender.submit(validEvent(id: "x", name: "checkout"), to: destination("111")) == .duplicate)

            #expect(fake.requests.reduce(0) { $0 + $1.events.count } == 3)
            #expect(sender.statistics.duplicates == 2)
            #expect(harness.counter("pinterest_events_duplicate_total") == 2)
        }
    }

    @Test func theDedupWindowIsConfigurable() async throws {
        let clock = TestClock()
        let dedup = DedupStore(now: { clock.now })
        let harness = SenderHarness(baseURL: "http://127.0.0.1:1", dedup: dedup)
        #expect(try harness.sender.submit(validEvent(id: "x"), to: destination(token: "")) == .queued)
        clock.advance(by: .seconds(47 * 3600))
        #expect(try harness.sender.submit(validEvent(id: "x"), to: destination(token: "")) == .duplicate)
        clock.advance(by: .seconds(3600))
        #expect(try harness.sender.submit(validEvent(id: "x"), to: destination(token: "")) == .queued)
    }

    @Test func anInvalidEventIsRefusedWithItsViolationsAndNotQueued() async throws {
        let harness = SenderHarness(baseURL: "http://127.0.0.1:1")
        let event = setting(setting(validEvent(), "custom_data.value", to: 12.5), "user_data", to: [:])
        #expect {
            try harness.sender.submit(event, to: destination())
        } throws: { error in
            guard case .invalidEvent(let violations)? = error as? PinterestSender.SubmitError else { return false }
            return Set(violations.map(\.description)) == [
                "custom_data.value: expected string, got number",
                "user_data: needs em, or hashed_maids, or client_ip_address and client_user_agent",
            ]
        }
        // The rejected event did not take its dedup key: once fixed, it is accepted.
        #expect(try harness.sender.submit(validEvent(), to: destination()) == .queued)
        #expect(harness.sender.statistics.invalid == 1)
        #expect(harness.sender.statistics.queued == 1)
        #expect(harness.counter("pinterest_events_invalid_total") == 1)
    }

    @Test func concurrentSubmittersAreDeliveredExactlyOnce() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL, maxBatchDelay: .milliseconds(5))
            let sender = harness.sender
            let runner = Task { try await sender.run() }
            let accounts = ["111", "222", "333"]
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for n in 0..<500 {
                            // Every event is submitted twice (by two workers): one must win.
                            let id = "e\((worker / 2) * 500 + n)"
                            _ = try? sender.submit(validEvent(id: id), to: destination(accounts[n % 3]))
                        }
                    }
                }
            }
            let requests = try await fake.waitForEvents(count: 2_000)
            #expect(await sender.shutdown(deadline: .now + .seconds(10)) == 0)
            try await runner.value

            let received = fake.requests.flatMap { request in request.events.map { "\(request.adAccountID)/\($0["event_id"]?.stringValue ?? "")" } }
            #expect(received.count == 2_000)
            #expect(Set(received).count == 2_000)
            #expect(requests.allSatisfy { $0.isSchemaValid && $0.events.count <= 1000 })
            #expect(sender.statistics.duplicates == 2_000)
        }
    }
}
