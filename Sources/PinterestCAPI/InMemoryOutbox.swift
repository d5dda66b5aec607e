import Synchronization

/// ``ConversionOutbox`` in process memory: one FIFO per destination plus the leased entries,
/// under a single `Mutex`. What it holds is lost when the process ends.
public final class InMemoryOutbox: ConversionOutbox {
    private struct State {
        var nextID: UInt64 = 0
        var waiting: [PinterestDestination: OutboxQueue] = [:]
        var waitingCount = 0
        var leased: [UInt64: OutboxEntry] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func enqueue(_ event: EncodedEvent, for destination: PinterestDestination) -> Int {
        state.withLock { state in
            state.nextID += 1
            state.waitingCount += 1
            let entry = OutboxEntry(id: state.nextID, destination: destination, event: event)
            return state.waiting[destination, default: OutboxQueue()].appending(entry)
        }
    }

    public func take(upTo limit: Int, for destination: PinterestDestination) -> [OutboxEntry] {
        state.withLock { state in
            guard limit > 0, let index = state.waiting.index(forKey: destination) else { return [] }
            let taken = state.waiting.values[index].removeFirst(upTo: limit)
            if state.waiting.values[index].isEmpty { state.waiting.remove(at: index) }
            state.waitingCount -= taken.count
            state.leased.reserveCapacity(state.leased.count + taken.count)
            for entry in taken { state.leased[entry.id] = entry }
            return taken
        }
    }

    public func acknowledge(_ ids: [OutboxEntry.ID], as result: DeliveryResult) {
        state.withLock { state in
            for id in ids { state.leased.removeValue(forKey: id) }
        }
    }

    public func requeue(_ ids: [OutboxEntry.ID]) {
        state.withLock { state in
            var returning: [PinterestDestination: [OutboxEntry]] = [:]
            for id in ids {
                if let entry = state.leased.removeValue(forKey: id) {
                    returning[entry.destination, default: []].append(entry)
                }
            }
            for (destination, entries) in returning {
                state.waiting[destination, default: OutboxQueue()].prepend(entries.sorted { $0.id < $1.id })
                state.waitingCount += entries.count
            }
        }
    }

    public func destinationsWithWaitingEvents() -> [PinterestDestination] {
        state.withLock { Array($0.waiting.keys) }
    }

    public func count() -> Int {
        state.withLock { $0.waitingCount + $0.leased.count }
    }
}

extension OutboxQueue {
    /// Appends and returns the new count, in one access to the dictionary's value.
    fileprivate mutating func appending(_ entry: OutboxEntry) -> Int {
        append(entry)
        return count
    }
}
