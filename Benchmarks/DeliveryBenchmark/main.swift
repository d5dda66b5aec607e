// How fast the batching sender moves events to a (fake) Pinterest.
//
//     DeliveryBenchmark [--url http://127.0.0.1:PORT] [--events N] [--destinations N] [--runs N]
//
// Submits N valid conversion events (unique event_ids, spread round-robin over a few ad accounts) to a
// `PinterestSender` pointed at a fake Pinterest, then `flush()`es, and prints events per second end to end
// (first submit to last answer), the submit rate alone, and the requests made (1,000 events each).
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
var rates: [Double] = []

print("delivery: \(eventCount) events over \(destinationCount) ad accounts to \(baseURL)\(inProcessFake != nil ? " (in-process FakePinterest)" : "")")
for run in 0..<runs {
    // Built before the clock starts: the benchmark measures the sender, not the making of test events.
    let events = (0..<eventCount).map { event($0, run: run) }
    let sender = PinterestSender(
        configuration: .init(baseURL: baseURL, maxBatchSize: 1_000, maxBatchDelay: .seconds(1)),
        httpClient: httpClient, logger: quiet)
    var refused = 0
    let started = clock.now
    for (index, event) in events.enumerated() {
        do {
            _ = try sender.submit(event, to: destinations[index % destinationCount])
        } catch {
            refused += 1
            if refused == 1 { print("refused: \(error)") }
        }
    }
    let submitted = clock.now
    await sender.flush()
    let finished = clock.now
    let stats = sender.statistics
    let total = (finished - started) / .seconds(1)
    let submitOnly = (submitted - started) / .seconds(1)
    let rate = Double(stats.sent) / total
    rates.append(rate)
    print(
        String(
            format: "run %d: %.0f events/s end to end (%d sent, %d failed, %d refused, %d requests, %.3f s); submit alone %.0f events/s",
            run + 1, rate, stats.sent, stats.failed, refused, stats.requests, total, Double(eventCount) / submitOnly))
    if stats.sent != eventCount {
        print("ERROR: \(eventCount - stats.sent) events not delivered")
    }
}
rates.sort()
print(String(format: "delivery events/s (median of %d): %.0f", runs, rates[rates.count / 2]))
try await httpClient.shutdown().get()
await inProcessFake?.stop()
