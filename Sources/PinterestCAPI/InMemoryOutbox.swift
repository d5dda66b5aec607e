import Synchronization
import TagdJSON

/// ``ConversionOutbox`` in process memory: one FIFO per destination plus the leased entries,
/// under a single `Mutex`. What it holds is lost when the process ends.
public final class InMemoryOutbox: ConversionOutbox {
    private struct State {
        var nextID: UInt64 = 0
        var waiting: [PinterestDestination: [OutboxEntry]] = [:]
        var leased: [UInt64: OutboxEntry] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func enqueue(_ event: JSONValue, for destination: PinterestDestination) -> Int {
        state.withLock { state in
            state.nextID += 1
            state.waiting[destination, default: []].append(OutboxEntry(id: state.nextID, destination: destination, event: event))
            return state.waiting[destination]?.count ?? 0
        }
    }

    public func take(upTo limit: Int, for destination: PinterestDestination) -> [OutboxEntry] {
        state.withLock { state in
            guard let queue = state.waiting[destination], limit > 0 else { return [] }
            let taken = Array(queue.prefix(limit))
            let rest = queue.dropFirst(taken.count)
            state.waiting[destination] = rest.isEmpty ? nil : Array(rest)
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
                state.waiting[destination] = entries.sorted { $0.id < $1.id } + (state.waiting[destination] ?? [])
            }
        }
    }

    public func destinationsWithWaitingEvents() -> [PinterestDestination] {
        state.withLock { Array($0.waiting.keys) }
    }

    public func count() -> Int {
        state.withLock { state in state.waiting.values.reduce(0) { $0 + $1.count } + state.leased.count }
    }
}
