// How fast the batching sender moves events to a (fake) Pinterest.
//
//     DeliveryBenchmark [--url http://127.0.0.1:PORT] [--events N] [--destinations N] [--runs N]
//
// Submits N valid conversion events (unique event_ids, spread round-robin over a few ad accounts) to a
// `PinterestSender` pointed at a fake Pinterest, 1,000 events per request, in two modes alternated per run:
// sequential (submit all, then `flush()`: the batcher alone moves a full outbox) and concurrent (the sender's
// `run()` loop delivers full batches while submits go on, as in the server; then `flush()`). Prints per run the
// events per second end to end (first submit to last answer), the submit rate and its CPU per event, and the
// flush's own rate; then the medians. The last line, `delivery events/s`, is the concurrent end-to-end median.
// Without --url it starts `PinterestTesting.FakePinterest` in process (it validates and records every request,
// so it costs CPU and memory of its own); `make bench` passes the standalone FakePinterestServer instead.
import Foundation
import Logging
import NIOCore
import NIOPosix
import PinterestCAPI
import PinterestTesting
import TagdJSON

NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

var url: String?
var eventCount = 200_000
var destinationCount = 4
var runs = 3
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--url": url = arguments.popFirst()
    case "--events": eventCount = Int(arguments.popFirst() ?? "") ?? eventCount
    case "--destinations": destinationCount = max(1, Int(arguments.popFirst() ?? "") ?? destinationCount)
    case "--runs": runs = max(1, Int(arguments.popFirst() ?? "") ?? runs)
    default:
        print("usage: DeliveryBenchmark [--url URL] [--events N] [--destinations N] [--runs N]")
        exit(2)
    }
}

var inProcessFake: FakePinterest?
let baseURL: String
if let url {
    baseURL = url
} else {
    let fake = try await FakePinterest.start()
    inProcessFake = fake
    baseURL = fake.baseURL
}

let destinations = try (0..<destinationCount).map { index in
    try PinterestDestination(adAccountID: String(549_755_885_175 + index), token: "bench-token-\(index)")
}

/// A checkout as a tag hands it to the sender: user data already hashed, custom data as strings.
func event(_ index: Int, run: Int) -> JSONValue {
    let hash = "b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514"
    return [
        "event_name": "checkout",
        "action_source": "web",
        "event_time": .int(1_717_171_717),
        "event_id": .string("bench-\(run)-\(index)"),
        "event_source_url": "https://shop.example/checkout/thanks",
        "user_data": [
            "em": [.string(hash)], "ph": [.string(hash)], "fn": [.string(hash)], "ln": [.string(hash)],
            "ct": [.string(hash)], "st": [.string(hash)], "zp": [.string(hash)], "country": [.string(hash)],
            "external_id": [.string(hash)], "client_ip_address": "127.0.0.1", "client_user_agent": "wrk",
        ],
        "custom_data": [
            "currency": "USD", "value": "72.39", "order_id": .string("T-\(index)"),
            "content_ids": ["SKU-1", "SKU-2"],
            "contents": [["id": "SKU-1", "item_price": "19.99", "quantity": 2], ["id": "SKU-2", "item_price": "32.41", "quantity": 1]],
            "num_items": 3,
        ],
    ]
}

var quiet = Logger(label: "tagd.delivery-benchmark")
quiet.logLevel = .error
let httpClient = PinterestSender.makeHTTPClient()
let clock = ContinuousClock()

/// CPU time of the calling thread: what submitting cost, whatever else ran on the machine meanwhile.
func threadCPUTime() -> Duration {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
}

/// One run of one mode. `sequential`: submit every event, then `flush()` (nothing is sent before the flush,
/// as in earlier versions of this benchmark). `concurrent`: the sender's `run()` loop is running, as in the
/// server, so full batches go out while submits go on; then `flush()` sends the rest.
struct Result {
    var endToEnd: Double  // events delivered per second, first submit to last answer
    var submitRate: Double  // events submitted per second of wall time
    var submitCPU: Double  // µs of the submitting thread's CPU per event
    var flushRate: Double  // events per second moved by the batcher during `flush()` alone
    var sent: Int
}

@MainActor func measure(concurrent: Bool, run: Int) async -> Result {
    // Built before the clock starts: the benchmark measures the sender, not the making of test events. Flat
    // documents, as `pinterest.send` submits them in the server.
    let events = (0..<eventCount).map { FlatJSON(event($0, run: run)) }
    let sender = PinterestSender(
        configuration: .init(baseURL: baseURL, maxBatchSize: 1_000, maxBatchDelay: .seconds(1)),
        httpClient: httpClient, logger: quiet)
    // Detached: a task started here would wait for the main actor, which the submit loop keeps busy.
    let loop = concurrent ? Task.detached { try? await sender.run() } : nil
    var refused = 0
    let started = clock.now
    let cpuStarted = threadCPUTime()
    for (index, event) in events.enumerated() {
        do {
            _ = try sender.submit(event, to: destinations[index % destinationCount])
        } catch {
            refused += 1
            if refused == 1 { print("refused: \(error)") }
        }
    }
    let submitCPU = threadCPUTime() - cpuStarted
    let submitted = clock.now
    let sentBeforeFlush = sender.statistics.sent
    await sender.flush()
    let finished = clock.now
    if let loop {
        await sender.shutdown(deadline: .now + .seconds(5))
        await loop.value
    }
    let stats = sender.statistics
    let total = (finished - started) / .seconds(1)
    let flushed = (finished - submitted) / .seconds(1)
    let result = Result(
        endToEnd: Double(stats.sent) / total, submitRate: Double(eventCount) / ((submitted - started) / .seconds(1)),
        submitCPU: submitCPU / .microseconds(1) / Double(eventCount),
        flushRate: Double(stats.sent - sentBeforeFlush) / flushed, sent: stats.sent)
    print(
        String(
            format: "run %d %@: %.0f events/s end to end (%d sent, %d failed, %d refused, %d requests, %.3f s); "
                + "submit %.0f events/s (%.2f µs CPU each); flush %.0f events/s (%d events in %.3f s)",
            run + 1, concurrent ? "concurrent" : "sequential", result.endToEnd, stats.sent, stats.failed, refused,
            stats.requests, total, result.submitRate, result.submitCPU, result.flushRate, stats.sent - sentBeforeFlush,
            flushed))
    if stats.sent != eventCount {
        print("ERROR: \(eventCount - stats.sent) events not delivered")
    }
    return result
}

print("delivery: \(eventCount) events over \(destinationCount) ad accounts to \(baseURL)\(inProcessFake != nil ? " (in-process FakePinterest)" : "")")
var sequential: [Result] = []
var concurrent: [Result] = []
for run in 0..<runs {
    // Alternated, so that the machine's noise falls on both modes.
    sequential.append(await measure(concurrent: false, run: run))
    concurrent.append(await measure(concurrent: true, run: run))
}

func median(_ results: [Result], _ value: (Result) -> Double) -> Double {
    let sorted = results.map(value).sorted()
    return sorted[sorted.count / 2]
}
print(String(format: "submit µs CPU per event (median of %d): %.2f", runs * 2, median(sequential + concurrent, \.submitCPU)))
print(String(format: "batcher alone, flush of a full outbox, events/s (median of %d): %.0f", runs, median(sequential, \.flushRate)))
print(String(format: "sequential, submit all then flush, events/s (median of %d): %.0f", runs, median(sequential, \.endToEnd)))
print(String(format: "concurrent, run loop delivering while submits go on, events/s (median of %d): %.0f", runs, median(concurrent, \.endToEnd)))
print(String(format: "delivery events/s (median of %d): %.0f", runs, median(concurrent, \.endToEnd)))
try await httpClient.shutdown().get()
await inProcessFake?.stop()
