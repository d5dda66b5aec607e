@testable import PinterestCAPI
import TagdJSON
import TestRandom
import Testing

/// ``InMemoryOutbox`` keeps events in shared chunks and leases as batches; this holds it to the straightforward
/// outbox it replaced (a FIFO of whole events per destination, leased entries by id) over random sequences of every
/// call, with events of many sizes (some past a chunk's share, some spanning several chunks per batch).
@Suite struct OutboxModelTests {
    /// The straightforward outbox: arrays of (id, json) per destination and a dictionary of leased ones.
    struct Model {
        var nextID: UInt64 = 0
        var waiting: [PinterestDestination: [(id: UInt64, json: [UInt8])]] = [:]
        var leased: [UInt64: (destination: PinterestDestination, json: [UInt8])] = [:]

        mutating func enqueue(_ json: [UInt8], for destination: PinterestDestination) -> Int {
            nextID += 1
            waiting[destination, default: []].append((nextID, json))
            return waiting[destination]?.count ?? 0
        }

        mutating func take(upTo limit: Int, for destination: PinterestDestination) -> [(id: UInt64, json: [UInt8])] {
            guard limit > 0, let queue = waiting[destination] else { return [] }
            let taken = Array(queue.prefix(limit))
            waiting[destination] = queue.count > taken.count ? Array(queue.dropFirst(taken.count)) : nil
            for entry in taken { leased[entry.id] = (destination, entry.json) }
            return taken
        }

        mutating func acknowledge(_ ids: [UInt64]) {
            for id in ids { leased[id] = nil }
        }

        mutating func requeue(_ ids: [UInt64]) {
            var returning: [PinterestDestination: [(id: UInt64, json: [UInt8])]] = [:]
            for id in ids {
                if let entry = leased.removeValue(forKey: id) { returning[entry.destination, default: []].append((id, entry.json)) }
            }
            for (destination, entries) in returning {
                waiting[destination] = entries.sorted { $0.id < $1.id } + (waiting[destination] ?? [])
            }
        }

        var count: Int { waiting.values.reduce(0) { $0 + $1.count } + leased.count }
    }

    static func json(_ generator: inout SplitMix64, id: UInt64) -> [UInt8] {
        // Mostly event-sized, sometimes tiny or larger than a quarter chunk (a chunk of its own).
        let size: Int
        switch Int.random(in: 0..<20, using: &generator) {
        case 0: size = Int.random(in: 0..<4, using: &generator)
        case 1: size = Int.random(in: OutboxChunk.standardCapacity / 4..<OutboxChunk.standardCapacity + 100, using: &generator)
        default: size = Int.random(in: 300..<2_000, using: &generator)
        }
        let seed = UInt8(truncatingIfNeeded: id)
        return (0..<size).map { seed &+ UInt8(truncatingIfNeeded: $0) }
    }

    @Test(arguments: [1, 2, 3, 4])
    func behavesAsTheStraightforwardOutbox(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let outbox = InMemoryOutbox()
        var model = Model()
        let destinations = [destination("1"), destination("2"), destination("3", token: "")]
        var held: [[OutboxEntry]] = []  // batches taken and not all settled: ids to acknowledge or requeue
        for _ in 0..<3_000 {
            let destination = destinations[Int.random(in: 0..<destinations.count, using: &generator)]
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<6:
                let json = Self.json(&generator, id: model.nextID + 1)
                let expected = model.enqueue(json, for: destination)
                #expect(json.withUnsafeBufferPointer { outbox.enqueue(json: $0, for: destination) } == expected)
            case 6, 7:
                let limit = Int.random(in: 0..<120, using: &generator)
                let expected = model.take(upTo: limit, for: destination)
                let taken = outbox.take(upTo: limit, for: destination)
                #expect(taken.map(\.id) == expected.map(\.id))
                #expect(taken.map { $0.withJSON(Array.init) } == expected.map(\.json))
                #expect(taken.allSatisfy { $0.destination == destination })
                if !taken.isEmpty { held.append(taken) }
            default:
                guard !held.isEmpty else { continue }
                let index = Int.random(in: 0..<held.count, using: &generator)
                var batch = held[index]
                // Part of a batch, in any order, sometimes with ids settled already or never leased.
                batch.shuffle(using: &generator)
                let settling = Array(batch.prefix(Int.random(in: 0...batch.count, using: &generator)))
                var ids = settling.map(\.id)
                if Bool.random(using: &generator) { ids.append(model.nextID + 1_000) }
                if Bool.random(using: &generator), let first = ids.first { ids.append(first) }
                if Bool.random(using: &generator) {
                    model.acknowledge(ids)
                    outbox.acknowledge(ids, as: .delivered)
                } else {
                    model.requeue(ids)
                    outbox.requeue(ids)
                }
                let settled = Set(settling.map(\.id))
                held[index] = batch.filter { !settled.contains($0.id) }
                if held[index].isEmpty || Bool.random(using: &generator) { held.remove(at: index) }
            }
            #expect(outbox.count() == model.count)
            #expect(Set(outbox.destinationsWithWaitingEvents()) == Set(model.waiting.keys))
        }
        // Whatever is left comes out in the model's order.
        for destination in destinations {
            #expect(outbox.take(upTo: .max, for: destination).map(\.id) == model.take(upTo: .max, for: destination).map(\.id))
        }
    }

    @Test func entriesKeepTheirBytesAfterTheOutboxLetsGo() {
        var taken: [OutboxEntry] = []
        do {
            let outbox = InMemoryOutbox()
            for n in 1...200 { _ = outbox.enqueue(EncodedEvent(validEvent(id: "e\(n)")), for: destination()) }
            taken = outbox.take(upTo: 1_000, for: destination())
            outbox.acknowledge(taken.map(\.id), as: .delivered)
        }
        #expect(taken.map(\.event.eventID) == (1...200).map { "e\($0)" })
        #expect(taken.map(\.event) == (1...200).map { EncodedEvent(validEvent(id: "e\($0)")) })
    }

    /// A destination with a few events a flush holds a small chunk, not a full one per slot each time its queue
    /// empties; a busy one's chunks double up to the standard size.
    @Test func chunksStartSmallAndGrow() {
        let outbox = InMemoryOutbox()
        let event = [UInt8](repeating: UInt8(ascii: "x"), count: 1_000)
        func enqueue() { event.withUnsafeBufferPointer { _ = outbox.enqueue(json: $0, for: destination()) } }
        enqueue()
        let first = outbox.take(upTo: 1_000, for: destination())
        #expect(first.map(\.chunk.capacity) == [OutboxChunk.firstCapacity])
        outbox.acknowledge(first.map(\.id), as: .delivered)
        for _ in 0..<200 { enqueue() }  // one thread: one slot, its chunks in turn
        let capacities = outbox.take(upTo: 1_000, for: destination()).map(\.chunk.capacity)
        var distinct: [Int] = []
        for capacity in capacities where distinct.last != capacity { distinct.append(capacity) }
        #expect(distinct == [4_096, 8_192, 16_384, OutboxChunk.standardCapacity])
    }

    /// Threads append to chunks of their own slot; whatever the interleaving, every event comes out whole, once,
    /// in the order of its id.
    @Test func concurrentEnqueuesKeepEveryEventIntact() async {
        let outbox = InMemoryOutbox()
        let a = destination("1")
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for n in 0..<400 {
                        let json = Array("{\"w\":\(writer),\"n\":\(n),\"pad\":\"\(String(repeating: "x", count: (writer * 97 + n) % 1_500))\"}".utf8)
                        _ = json.withUnsafeBufferPointer { outbox.enqueue(json: $0, for: a) }
                    }
                }
            }
        }
        let taken = outbox.take(upTo: .max, for: a)
        #expect(taken.count == 8 * 400)
        #expect(zip(taken, taken.dropFirst()).allSatisfy { $0.id < $1.id })
        var seen = Set<[UInt8]>()
        for entry in taken { seen.insert(entry.withJSON(Array.init)) }
        let expected = Set((0..<8).flatMap { writer in
            (0..<400).map { n in Array("{\"w\":\(writer),\"n\":\(n),\"pad\":\"\(String(repeating: "x", count: (writer * 97 + n) % 1_500))\"}".utf8) }
        })
        #expect(seen == expected)
    }

    @Test func aThreadKeepsItsOrdinal() {
        #expect(ThreadOrdinal.current == ThreadOrdinal.current)
        #expect(ThreadOrdinal.current >= 0)
    }
}
