/// Where accepted events wait until they are delivered. In memory today (``InMemoryOutbox``);
/// a durable one (SQLite, then PostgreSQL for several instances) will implement the same calls.
///
/// Taking events leases them: they are not taken again until they are acknowledged (gone for good)
/// or requeued (waiting again, e.g. when a shutdown deadline cut a retry short).
public protocol ConversionOutbox: Sendable {
    /// Adds an event for a destination and returns how many events of that destination now wait.
    func enqueue(_ event: EncodedEvent, for destination: PinterestDestination) throws -> Int
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

/// An event in the outbox, with the identity used to acknowledge or requeue it.
///
/// Its fields live in one immutable object: an entry is copied as it moves through the outbox (queued,
/// leased and handed to the sender at once, acknowledged), and a copy is then one retain, not one per
/// string and buffer of its event and destination.
public struct OutboxEntry: Sendable, Identifiable {
    private final class Storage: Sendable {
        let id: UInt64
        let destination: PinterestDestination
        let event: EncodedEvent

        init(id: UInt64, destination: PinterestDestination, event: EncodedEvent) {
            self.id = id
            self.destination = destination
            self.event = event
        }
    }

    private let storage: Storage

    public var id: UInt64 { storage.id }
    public var destination: PinterestDestination { storage.destination }
    public var event: EncodedEvent { storage.event }

    public init(id: UInt64, destination: PinterestDestination, event: EncodedEvent) {
        storage = Storage(id: id, destination: destination, event: event)
    }
}

/// How delivery of an event ended; a durable outbox may keep failed events for inspection.
public enum DeliveryResult: Sendable, Equatable {
    case delivered
    case dryRun
    case failed(reason: String)
}
