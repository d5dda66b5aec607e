import Logging
import PinterestCAPI
import PinterestTesting
import ServiceLifecycle
import TagdJSON
import Testing

/// Dry run, secrecy of the token, and stopping.
@Suite struct SenderOperationsTests {
    @Test func dryRunLogsTheExactBodyAndMakesNoRequest() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL)
            let events = [validEvent(id: "d1"), validEvent(id: "d2")]
            for event in events { try harness.submit(event, to: destination("777", token: "")) }
            await harness.sender.flush()

            #expect(fake.requests.isEmpty)
            let body = JSONValue.object(["data": .array(events)]).encodedString()
            let lines = harness.logs.lines(containing: "dry run")
            #expect(lines.count == 1, "one line per batch")
            #expect(lines.first?.level == .info)
            #expect(lines.first?.message.hasSuffix("POST /v5/ad_accounts/777/events \(body)") == true)
            #expect(harness.sender.statistics.dryRun == 2)
            #expect(harness.sender.statistics.requests == 0)
            #expect(harness.counter("pinterest_events_dry_run_total") == 2)
        }
    }

    @Test func theTokenNeverAppearsInALogLine() async throws {
        let token = "pina_TOKEN_SHOULD_NEVER_BE_LOGGED"
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL, maxAttempts: 2)
            let target = destination(token: token)
            // Every path that logs: refused with the token echoed back, partial failure, retry, success.
            fake.enqueue(
                .error(status: 400, code: 1, message: "bad token \(token)"),
                .partialFailure(failing: [0: "token \(token) cannot write here"]),
                .rateLimited(retryAfterSeconds: 1), .serverError(status: 502))
            for round in 0..<3 {
                try harness.submit(validEvent(id: "r\(round)"), to: target)
                await harness.sender.flush()
            }
            await harness.sender.shutdown(deadline: .now + .seconds(10))
        
            #expect(fake.requests.count == 4)
            #expect(fake.requests.allSatisfy { $0.headers["authorization"] == "Bearer \(token)" })
            let lines = harness.logs.all
            #expect(lines.count >= 4, "the scenarios above must have logged")
            #expect(lines.contains { $0.text.contains("<redacted>") }, "echoed tokens are cut out")
            for line in lines {
                #expect(!line.text.contains(token), "\(line.text)")
                #expect(!line.text.contains("TOKEN_SHOULD"), "\(line.text)")
            }
        }
    }

    @Test func shutdownDeliversWhatIsQueuedAndThenRefusesEvents() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL, maxBatchDelay: .seconds(3600))
            let runner = Task { try await harness.sender.run() }
            for n in 0..<10 { try harness.submit(validEvent(id: "e\(n)"), to: destination()) }
            #expect(fake.requests.isEmpty, "an hour's batch delay: nothing is sent before shutdown")

            let undelivered = await harness.sender.shutdown(deadline: .now + .seconds(10))
            try await runner.value
            #expect(undelivered == 0)
            #expect(fake.requests.map(\.events.count) == [10])
            #expect(throws: PinterestSender.SubmitError.shuttingDown) {
                try harness.sender.submit(validEvent(id: "late"), to: destination())
            }
        }
    }

    @Test func shutdownDeadlineCutsRetriesShortAndKeepsTheEvents() async throws {
        try await withFakePinterest { fake throws in
            // Real sleeps of an hour between attempts: only the deadline can end this.
            let retry = PinterestSender.RetryPolicy(baseDelay: .seconds(3600), maxDelay: .seconds(3600), jitter: { $0 })
            let harness = SenderHarness(baseURL: fake.baseURL, maxBatchDelay: .zero, retry: retry)
            let runner = Task { try await harness.sender.run() }
            fake.enqueue(.serverError(status: 503))
            for n in 0..<5 { try harness.submit(validEvent(id: "e\(n)"), to: destination()) }
            // The first attempt has been answered 503 before shutdown starts: what the deadline cuts is the retry,
            // however slow the machine (a fixed deadline alone raced the first attempt on a loaded CI machine).
            _ = try await fake.waitForRequests(count: 1)

            let started = ContinuousClock.now
            let undelivered = await harness.sender.shutdown(deadline: .now + .milliseconds(300))
            try await runner.value
            #expect(undelivered == 5, "the batch went back to the outbox")
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(fake.requests.map(\.responseStatus) == [503])
            #expect(harness.sender.statistics.failed == 0)
            #expect(harness.logs.lines(containing: "undelivered").first?.level == .error)
        }
    }

    @Test func serviceLifecycleGracefulShutdownDrainsTheQueue() async throws {
        try await withFakePinterest { fake throws in
            let harness = SenderHarness(baseURL: fake.baseURL, maxBatchDelay: .seconds(3600))
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(services: [harness.sender], gracefulShutdownSignals: [], logger: harness.logs.logger()))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for n in 0..<7 { try harness.submit(validEvent(id: "e\(n)"), to: destination()) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(fake.requests.map(\.events.count) == [7])
            #expect(harness.sender.statistics.sent == 7)
        }
    }
}
