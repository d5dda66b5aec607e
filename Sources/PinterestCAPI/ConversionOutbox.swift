/// Where accepted events wait until they are delivered. In memory today (``InMemoryOutbox``);
/// a durable one (SQLite, then PostgreSQL for several instances) will implement the same calls.
///
/// An event is kept as its JSON only: the name and id a log line needs are read back from it (``EncodedEvent``).
/// Taking events leases them: they are not taken again until they are acknowledged (gone for good)
/// or requeued (waiting again, e.g. when a shutdown deadline cut a retry short).
public protocol ConversionOutbox: Sendable {
    /// Adds an event, given as its JSON (compact, sorted keys: what `JSONValue.encoded()` writes), for a destination
    /// and returns how many events of that destination now wait. The bytes are copied before it returns.
    func enqueue(json: UnsafeBufferPointer<UInt8>, for destination: PinterestDestination) throws -> Int
    /// Leases up to `limit` waiting events of one destination, oldest first.
    func take(upTo limit: Int, for destination: PinterestDestination) throws -> [OutboxEntry]
    /// Ends the lease of events that are done with, delivered or given up on.
    func acknowledge(_ ids: [OutboxEntry.ID], as result: DeliveryResult) throws
    /// Ends the lease of events that should be tried again; they go back ahead of newer events.
    func requeue(_ ids: [OutboxEntry.ID]) throws
    /// Destinations that have events waiting (not leased), e.g. left over from a previous run.
    func destinationsWithWaitingEvents() throws -> [PinterestDestination]
    /// Events waiting or leased: what a shutdown leaves undelivered.
    func count() throws -> Int
}

extension ConversionOutbox {
    /// `enqueue(json:for:)` with an encoded event's bytes.
    public func enqueue(_ event: EncodedEvent, for destination: PinterestDestination) throws -> Int {
        try event.json.withUnsafeBufferPointer { try enqueue(json: $0, for: destination) }
    }
}

/// An event in the outbox, with the identity used to acknowledge or requeue it.
///
/// Its JSON lies in an ``OutboxChunk`` shared with the events queued around it, which also knows the destination:
/// an entry is copied as it moves through the outbox (queued, leased and handed to the sender at once,
/// acknowledged), and a copy is then one retain, with no allocation of its own to free.
public struct OutboxEntry: Sendable, Identifiable {
    public let id: UInt64
    let chunk: OutboxChunk
    private let offset: UInt32
    private let length: UInt32

    init(id: UInt64, chunk: OutboxChunk, offset: Int, count: Int) {
        self.id = id
        self.chunk = chunk
        self.offset = UInt32(offset)
        self.length = UInt32(count)
    }

    /// An entry whose JSON has a chunk of its own (tests, tools).
    public init(id: UInt64, destination: PinterestDestination, event: EncodedEvent) {
        let chunk = OutboxChunk(destination: destination, capacity: event.json.count)
        let offset = event.json.withUnsafeBufferPointer { chunk.append($0) }
        self.init(id: id, chunk: chunk, offset: offset, count: event.json.count)
    }

    public var destination: PinterestDestination { chunk.destination }

    /// The length of the event's JSON.
    public var jsonCount: Int { Int(length) }

    /// The event's JSON, valid for the duration of `body`.
    public func withJSON<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(chunk.bytes(at: Int(offset), count: Int(length)))
    }

    /// The event with its name and id read back from the JSON, for log lines (a copy: not for the hot path).
    public var event: EncodedEvent {
        EncodedEvent(json: withJSON(Array.init))
    }
}

/// How delivery of an event ended; a durable outbox may keep failed events for inspection.
public enum DeliveryResult: Sendable, Equatable {
    case delivered
    case dryRun
    case failed(reason: String)
}
