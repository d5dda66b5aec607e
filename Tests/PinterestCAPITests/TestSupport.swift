import AsyncHTTPClient
import Dedup

import Logging
import MetricsTestKit
import PinterestCAPI
import PinterestTesting
import Synchronization
import TagdJSON

/// A SHA-256 looking value (64 lowercase hex characters).
let sampleHash = String(repeating: "ab12", count: 16)

/// A minimal event that satisfies Pinterest's schema.
func validEvent(id: String = "evt-1", name: String = "checkout", time: Int64 = 1_700_000_000) -> JSONValue {
    [
        "event_name": .string(name),
        "action_source": "web",
        "event_time": .int(time),
        "event_id": .string(id),
        "user_data": ["em": [.string(sampleHash)]],
    ]
}

/// Returns `event` with `value` set at a dotted path (`custom_data.value`), creating objects on the way.
func setting(_ event: JSONValue, _ path: String, to value: JSONValue?) -> JSONValue {
    let keys = path.split(separator: ".").map(String.init)
    func set(_ node: JSONValue, _ keys: ArraySlice<String>) -> JSONValue {
        guard let key = keys.first else { return value ?? .null }
        var object = node.objectValue ?? [:]
        if keys.count == 1 {
            object[key] = value
        } else {
            object[key] = set(object[key] ?? .object([:]), keys.dropFirst())
        }
        return .object(object)
    }
    return set(event, keys[...])
}

func destination(_ adAccountID: String = "123456", token: String = "test-token", testMode: Bool = false) -> PinterestDestination {
    do {
        return try PinterestDestination(adAccountID: adAccountID, token: token, testMode: testMode)
    } catch {
        preconditionFailure("test destination is invalid: \(error)")
    }
}

/// Records the delays the sender asks to sleep and returns at once, so retries take no real time.
final class RecordedSleeps: Sendable {
    private let delays = Mutex<[Duration]>([])
    var all: [Duration] { delays.withLock { $0 } }

    func policy(maxAttempts: Int = 8, baseDelay: Duration = .milliseconds(500)) -> PinterestSender.RetryPolicy {
        PinterestSender.RetryPolicy(
            maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: .seconds(30),
            jitter: { ceiling in ceiling },  // deterministic: always the ceiling
            sleep: { delay in self.delays.withLock { $0.append(delay) } })
    }
}

/// A sender wired for tests: its own logs, metrics and sleeps; batches wait an hour unless full,
/// so only `flush`, a full batch or shutdown sends them.
struct SenderHarness {
    let sender: PinterestSender
    let logs = LogCapture()
    let metrics = TestMetrics()
    let sleeps = RecordedSleeps()

    init(
        baseURL: String, maxBatchDelay: Duration = .seconds(3600), maxAttempts: Int = 8,
        retry: PinterestSender.RetryPolicy? = nil, dedup: any DedupStoring = DedupStore(),
        httpClient: HTTPClient = .shared
    ) {
        let configuration = PinterestSender.Configuration(
            baseURL: baseURL, maxBatchDelay: maxBatchDelay,
            retry: retry ?? sleeps.policy(maxAttempts: maxAttempts), requestTimeout: .seconds(5))
        sender = PinterestSender(
            configuration: configuration, httpClient: httpClient, dedup: dedup, logger: logs.logger(), metricsFactory: metrics)
    }

    /// Submits and expects the event to be queued.
    func submit(_ event: JSONValue, to destination: PinterestDestination) throws {
        let outcome = try sender.submit(event, to: destination)
        guard outcome == .queued else { throw HarnessError.notQueued(outcome) }
    }

    func counter(_ label: String) -> Int64 { metrics.counterTotal(label: label) }
}

enum HarnessError: Error {
    case notQueued(PinterestSender.SubmitOutcome)
}

/// A clock that only moves when a test says so.
final class TestClock: Sendable {
    private let current = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { current.withLock { $0 } }
    func advance(by duration: Duration) { current.withLock { $0 += duration } }
}

