import AsyncHTTPClient
import Dedup
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import TagdJSON

/// Delivers conversion events to Pinterest's Conversions API in batches.
///
/// `submit` is cheap and synchronous: it checks the event against Pinterest's schema, drops a
/// duplicate, and puts the event in the outbox. One background loop (`run`) sends each destination's
/// waiting events when a batch is full (1,000) or when the oldest has waited `maxBatchDelay`, one
/// batch at a time per destination and destinations in parallel. Retries happen inside the batch's
/// own task, so a rate-limited account never holds up another.
///
/// State is a `Mutex`-protected struct; no lock is held across an `await`.
public final class PinterestSender: Service, Sendable {
    let configuration: Configuration
    let httpClient: HTTPClient
    let outbox: any ConversionOutbox
    let dedup: any DedupStoring
    let validator: ConversionEventValidator
    let logger: Logger
    let metrics: SenderMetrics
    let state = Mutex(LoopState())
    let loopSignal = LoopSignal()

    /// - Parameters:
    ///   - httpClient: shared with the rest of the server; the sender never shuts it down.
    ///   - outbox: where accepted events wait; in memory unless a durable one is given.
    ///   - dedup: remembers accepted (ad account, event_name, event_id) keys.
    ///   - metricsFactory: `MetricsSystem.factory` unless a test passes its own.
    public init(
        configuration: Configuration = Configuration(),
        httpClient: HTTPClient = .shared,
        outbox: any ConversionOutbox = InMemoryOutbox(),
        dedup: any DedupStoring = DedupStore(),
        validator: ConversionEventValidator = .pinterest,
        logger: Logger = Logger(label: "tagd.pinterest"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.outbox = outbox
        self.dedup = dedup
        self.validator = validator
        self.logger = logger
        self.metrics = SenderMetrics(factory: metricsFactory)
    }

    /// Accepts one event for a destination, or says why not. Never waits on the network.
    public func submit(_ event: JSONValue, to destination: PinterestDestination) throws(SubmitError) -> SubmitOutcome {
        try submit(checking: event, to: destination)
    }

    /// As `submit(_: JSONValue, to:)`, for an event read into a flat document (`pinterest.send`'s path).
    public func submit(_ event: FlatJSON, to destination: PinterestDestination) throws(SubmitError) -> SubmitOutcome {
        guard let outcome = try event.withRoot({ (root) throws(SubmitError) in try submit(checking: root, to: destination) })
        else { return try submit(checking: JSONValue.null, to: destination) }
        return outcome
    }

    /// One body for both JSON forms: the validator is generic, specialized for each.
    private func submit<Event: JSONReadable>(
        checking event: Event, to destination: PinterestDestination
    ) throws(SubmitError) -> SubmitOutcome {
        guard state.withLock({ $0.acceptsEvents }) else { throw .shuttingDown }

        // Encoded into the thread's scratch block, which the outbox copies from: no allocation per event for it.
        let waiting = try JSONOutput.withThreadScratch { (out) throws(SubmitError) -> Int? in
            // Checked and encoded in one walk, or, for a flat event (pinterest.send's) of a shape already seen, by
            // the checks its values decide and the shape's plan; `check` explains a refusal (same violations as
            // `validateEvent`).
            let valid = if let flat = event as? FlatJSON.Value {
                validator.encodeEventIfValid(flat, into: &out)
            } else {
                validator.encodeEventIfValid(event, into: &out)
            }
            if valid {
                return try out.withBytes { (json) throws(SubmitError) in try accept(json, of: event, for: destination) }
            }
            let violations = validator.validateEvent(event.jsonValue)
            guard violations.isEmpty else {
                count(\.invalid, 1, metrics.invalid)
                throw .invalidEvent(violations)
            }
            // Unreachable while the two walks agree (tested).
            let json = EncodedEvent.bytes(of: event.jsonValue)
            return try json.withUnsafeBufferPointer { (json) throws(SubmitError) in try accept(json, of: event, for: destination) }
        }
        guard let waiting else {
            count(\.duplicates, 1, metrics.duplicate)
            return .duplicate
        }

        let now = ContinuousClock.now
        let full = waiting >= configuration.maxBatchSize
        let delay = configuration.maxBatchDelay
        // One lock for the count and the due time.
        let wakeLoop = state.withLock { state -> Bool in
            state.statistics.queued += 1
            if full {
                state.dueAt[destination] = now
                return true
            }
            if state.dueAt[destination] == nil {
                state.dueAt[destination] = now + delay
                return true
            }
            return false
        }
        metrics.queued.increment(by: 1)
        if wakeLoop { loopSignal.signal() }
        return .queued
    }

    /// Records a valid event's key and queues its JSON: how many events of the destination wait, or nil for a
    /// duplicate.
    private func accept<Event: JSONReadable>(
        _ json: UnsafeBufferPointer<UInt8>, of event: Event, for destination: PinterestDestination
    ) throws(SubmitError) -> Int? {
        let ttl = configuration.dedupWindow
        guard withKeyFields(of: event, for: destination, { dedup.insertIfAbsent(utf8: $0, $1, $2, ttl: ttl) }) else {
            return nil
        }
        do {
            // Encoded once, above; a batch body is then these bytes joined.
            return try outbox.enqueue(json: json, for: destination)
        } catch {
            // Not queued, so a retry of this submit must not count as a duplicate.
            withKeyFields(of: event, for: destination) { dedup.remove(utf8: $0, $1, $2) }
            throw .outboxUnavailable(String(describing: error))
        }
    }

    /// Calls `body` with the dedup key's fields, read in place: the ad account, the event's `event_name` and
    /// `event_id` (strings in a valid event; empty otherwise). Making them strings cost two allocations per event.
    private func withKeyFields<Event: JSONReadable, R>(
        of event: Event, for destination: PinterestDestination,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        var account = destination.adAccountID
        return account.withUTF8 { account in
            let name = event.member("event_name"), id = event.member("event_id")
            let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            func withID(_ name: UnsafeBufferPointer<UInt8>) -> R {
                id?.withUTF8 { id in body(account, name, id) } ?? body(account, name, empty)
            }
            return name?.withUTF8(withID) ?? withID(empty)
        }
    }

    /// Counts since start (the same numbers as the metrics).
    public var statistics: Statistics {
        state.withLock { $0.statistics }
    }

    func count(_ field: WritableKeyPath<Statistics, Int>, _ amount: Int, _ counter: Counter?) {
        guard amount > 0 else { return }
        state.withLock { $0.statistics[keyPath: field] += amount }
        counter?.increment(by: amount)
    }
}

extension PinterestSender {
    /// What the loop, `flush` and `shutdown` coordinate on.
    struct LoopState {
        /// Destinations with waiting events, and when their batch must go at the latest.
        /// Invariant: a destination with waiting events has an entry, or a batch of it is in flight
        /// and will look again when done.
        var dueAt: [PinterestDestination: ContinuousClock.Instant] = [:]
        /// Destinations whose batch is being delivered (at most one each, so batches keep their order).
        var inFlight: Set<PinterestDestination> = []
        /// `flush` calls waiting for an in-flight batch to finish (resumed with `false`: "look again").
        var idleWaiters: [CheckedContinuation<Bool, Never>] = []
        var acceptsEvents = true
        var runLoopActive = false
        /// The run loop should drain (deadline given) or stop at once (`abort`).
        var stopRequest: StopRequest?
        var runLoopExitWaiters: [CheckedContinuation<Void, Never>] = []
        var statistics = Statistics()
    }

    enum StopRequest: Equatable {
        /// ServiceLifecycle asked for a graceful shutdown; the loop drains until the deadline.
        case drain(deadline: ContinuousClock.Instant)
        /// `shutdown(deadline:)` already drained; leave now.
        case exit
        /// The deadline passed: cancel batches in flight and leave.
        case abort
    }
}
