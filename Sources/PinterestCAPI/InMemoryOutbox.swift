import Synchronization

/// ``ConversionOutbox`` in process memory: one FIFO per destination plus the leased entries,
/// under a single `Mutex`. What it holds is lost when the process ends.
///
/// Each destination's events are copied into its current ``OutboxChunk``, so queueing an event allocates nothing
/// most of the time and a delivered batch frees a few chunks, not an allocation or more per event. A destination has
/// a current chunk per thread slot (``ThreadOrdinal``): two event loops appending to one chunk made each entry's
/// retain of it, and the write of its fill count, a cache miss.
public final class InMemoryOutbox: ConversionOutbox {
    private struct State {
        var nextID: UInt64 = 0
        var waiting: [PinterestDestination: Lane] = [:]
        var waitingCount = 0
        var leases = OutboxLeases()
    }

    /// A destination's waiting events and the chunks its next events are copied into, one per thread slot.
    fileprivate struct Lane {
        var queue = OutboxQueue()
        var chunks = ChunkSlots()
    }

    /// Four slots: the event loops (one per core) rarely share one.
    fileprivate struct ChunkSlots {
        private var slot0, slot1, slot2, slot3: OutboxChunk?

        subscript(slot: Int) -> OutboxChunk? {
            get {
                switch slot & 3 {
                case 0: slot0
                case 1: slot1
                case 2: slot2
                default: slot3
                }
            }
            set {
                switch slot & 3 {
                case 0: slot0 = newValue
                case 1: slot1 = newValue
                case 2: slot2 = newValue
                default: slot3 = newValue
                }
            }
        }
    }

    private let state = Mutex(State())

    public init() {}

    public func enqueue(json: UnsafeBufferPointer<UInt8>, for destination: PinterestDestination) -> Int {
        let slot = ThreadOrdinal.current
        return state.withLock { state in
            state.nextID += 1
            state.waitingCount += 1
            return state.waiting[destination, default: Lane()].append(json, id: state.nextID, for: destination, slot: slot)
        }
    }

    /// `enqueue(json:for:)` with an encoded event's bytes (tests, tools).
    public func enqueue(_ event: EncodedEvent, for destination: PinterestDestination) -> Int {
        event.json.withUnsafeBufferPointer { enqueue(json: $0, for: destination) }
    }

    public func take(upTo limit: Int, for destination: PinterestDestination) -> [OutboxEntry] {
        state.withLock { state in
            guard limit > 0, let index = state.waiting.index(forKey: destination) else { return [] }
            let taken = state.waiting.values[index].queue.removeFirst(upTo: limit)
            // An empty lane goes, its chunks with it (freed once the entries in them are done with).
            if state.waiting.values[index].queue.isEmpty { state.waiting.remove(at: index) }
            state.waitingCount -= taken.count
            state.leases.add(taken)
            return taken
        }
    }

    public func acknowledge(_ ids: [OutboxEntry.ID], as result: DeliveryResult) {
        state.withLock { state in
            for id in ids { _ = state.leases.settle(id) }
            state.leases.dropSettled()
        }
    }

    public func requeue(_ ids: [OutboxEntry.ID]) {
        state.withLock { state in
            var returning: [PinterestDestination: [OutboxEntry]] = [:]
            for id in ids {
                if let entry = state.leases.settle(id) {
                    returning[entry.destination, default: []].append(entry)
                }
            }
            state.leases.dropSettled()
            for (destination, entries) in returning {
                state.waiting[destination, default: Lane()].queue.prepend(entries.sorted { $0.id < $1.id })
                state.waitingCount += entries.count
            }
        }
    }

    public func destinationsWithWaitingEvents() -> [PinterestDestination] {
        state.withLock { Array($0.waiting.keys) }
    }

    public func count() -> Int {
        state.withLock { $0.waitingCount + $0.leases.count }
    }
}

extension InMemoryOutbox.Lane {
    /// Copies `json` into the lane's chunk for `slot` (a new one when it lacks room), queues its entry, and returns
    /// the new count, in one access to the dictionary's value.
    fileprivate mutating func append(
        _ json: UnsafeBufferPointer<UInt8>, id: UInt64, for destination: PinterestDestination, slot: Int
    ) -> Int {
        let target: OutboxChunk
        if let chunk = chunks[slot], chunk.room >= json.count {
            target = chunk
        } else if json.count > OutboxChunk.standardCapacity / 4 {
            // A large event gets a chunk of its own, and the lane keeps the room left in its current one.
            target = OutboxChunk(destination: destination, capacity: json.count)
        } else {
            // Twice the slot's last chunk, from a small first one: a lane is dropped whenever its queue empties, and
            // a destination with a few events a flush should not hold (and allocate) a full chunk per slot each time.
            let grown = min(OutboxChunk.standardCapacity, 2 * (chunks[slot]?.capacity ?? OutboxChunk.firstCapacity / 2))
            target = OutboxChunk(destination: destination, capacity: max(grown, json.count))
            chunks[slot] = target
        }
        let offset = target.append(json)
        queue.append(OutboxEntry(id: id, chunk: target, offset: offset, count: json.count))
        return queue.count
    }
}
