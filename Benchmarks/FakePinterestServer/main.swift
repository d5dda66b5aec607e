// A fake Pinterest Conversions API as a process of its own, for `make bench` and DeliveryBenchmark.
//
//     FakePinterestServer [--port N] [--validate] [--full]
//
// Prints `port N` on its first line of standard output once it accepts connections, and stops on SIGTERM or
// SIGINT, printing what it received (`requests N events N rejected N`).
//
// Default (lean): the contract of `POST /v5/ad_accounts/{id}/events` that the sender relies on — digits in the
// path, `Authorization: Bearer ...`, a JSON content type, a JSON body with a `data` array (checked without building
// the document, `JSONValue.countOfArray`, so the fake costs little next to the sender) — answered with a
// `ConversionApiResponse` of one `processed` result per event, without recording anything, so it costs little
// CPU and no memory next to the server under test. `--validate` also checks every event against Pinterest's
// schema (400 on a violation), as `PinterestTesting.FakePinterest` does. `--full` runs
// `PinterestTesting.FakePinterest` itself (it records every request: memory grows with the load).
// `GET /stats` answers `{"requests":N,"events":N,"rejected":N}` so a benchmark can check delivery.
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import PinterestCAPI
import PinterestTesting
import ServiceLifecycle
import Synchronization
import TagdJSON
import UnixSignals

NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

struct Options {
    var port = 0
    var validate = false
    var full = false
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        switch argument {
        case "--port": options.port = Int(arguments.popFirst() ?? "") ?? 0
        case "--validate": options.validate = true
        case "--full": options.full = true
        case "-h", "--help":
            say("usage: FakePinterestServer [--port N] [--validate] [--full]")
            exit(0)
        default:
            FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
            exit(2)
        }
    }
    return options
}

/// Unbuffered, so the benchmark script reads the port as soon as it is printed.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func announce(_ port: Int) { say("port \(port)") }

let options = parseOptions()
let validate = options.validate

final class Counters: Sendable {
    private let state = Mutex((requests: 0, events: 0, rejected: 0))
    func add(events: Int, rejected: Bool) {
        state.withLock {
            $0.requests += 1
            $0.events += events
            if rejected { $0.rejected += 1 }
        }
    }
    var snapshot: (requests: Int, events: Int, rejected: Int) { state.withLock { $0 } }
    var json: String {
        let s = snapshot
        return "{\"requests\":\(s.requests),\"events\":\(s.events),\"rejected\":\(s.rejected)}"
    }
}

let logger = FakePinterest.quietLogger

if options.full {
    let fake = try await FakePinterest.start()
    announce(fake.port)
    let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
    for await _ in signals { break }
    let received = fake.requests
    await fake.stop()
    say("requests \(received.count) events \(received.reduce(0) { $0 + ($1.body?["data"]?.arrayValue?.count ?? 0) }) rejected \(received.filter { $0.responseStatus != 200 }.count)")
    exit(0)
}

let counters = Counters()
let validator = ConversionEventValidator.pinterest
let processed = #"{"status":"processed","error_message":null,"warning_message":null}"#

/// `{"num_events_received":N,"num_events_processed":N,"events":[...N results]}`, built once per size.
final class AnswerCache: Sendable {
    private let cache = Mutex<[Int: ByteBuffer]>([:])
    func answer(events: Int) -> ByteBuffer {
        if let cached = cache.withLock({ $0[events] }) { return cached }
        var text = "{\"num_events_received\":\(events),\"num_events_processed\":\(events),\"events\":["
        text.reserveCapacity(text.utf8.count + events * (processed.utf8.count + 1) + 2)
        for index in 0..<events {
            if index > 0 { text += "," }
            text += processed
        }
        text += "]}"
        let buffer = ByteBuffer(string: text)
        cache.withLock { $0[events] = buffer }
        return buffer
    }
}
let answers = AnswerCache()

func refuse(_ status: HTTPResponse.Status, code: Int, _ message: String) -> Response {
    counters.add(events: 0, rejected: true)
    return Response(
        status: status, headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(string: "{\"code\":\(code),\"message\":\(JSONValue.string(message).encodedString())}")))
}

let router = Router(context: BasicRequestContext.self)
router.post("/v5/ad_accounts/:ad_account_id/events") { request, context -> Response in
    let account = context.parameters.get("ad_account_id") ?? ""
    guard !account.isEmpty, account.utf8.count <= 18, account.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
        return refuse(.badRequest, code: 1, "Invalid ad_account_id.")
    }
    guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
        authorization.utf8.count > 7
    else {
        return refuse(.unauthorized, code: 2, "Authentication failed.")
    }
    guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("application/json") else {
        return refuse(.badRequest, code: 1, "Content-Type must be application/json.")
    }
    let body = try await request.body.collect(upTo: 64 << 20)
    let eventCount: Int
    if validate {
        guard let document = try? JSONValue.parse(body.readableBytesView), let events = document["data"]?.arrayValue,
            !events.isEmpty
        else {
            return refuse(.badRequest, code: 1, "The request body is not JSON with a data array.")
        }
        let violations = validator.validateBody(document)
        if !violations.isEmpty {
            return refuse(.badRequest, code: 4196, "The request was invalid: " + violations.prefix(5).map(\.description).joined(separator: "; "))
        }
        eventCount = events.count
    } else {
        // Lean: the parser's checks without building the document.
        guard let count = body.withUnsafeReadableBytes({ JSONValue.countOfArray(named: "data", inObject: $0) }), count > 0 else {
            return refuse(.badRequest, code: 1, "The request body is not JSON with a data array.")
        }
        eventCount = count
    }
    counters.add(events: eventCount, rejected: false)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answers.answer(events: eventCount)))
}
router.get("/stats") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: counters.json)))
}

let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: nil),
    onServerRunning: { channel in announce(channel.localAddress?.port ?? 0) },
    logger: logger)
let group = ServiceGroup(
    configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
try await group.run()
let s = counters.snapshot
say("requests \(s.requests) events \(s.events) rejected \(s.rejected)")
