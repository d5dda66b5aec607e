@testable import Dedup
import TestRandom
import Testing

/// The store's semantics, written plainly: a dictionary of keys to (expiry, sequence) and an array of insertion
/// records, as the store was before its open-addressing tables. Expiries are whole seconds; live while `expiry > now`.
struct DedupModel<Key: Hashable> {
    let capacity: Int
    private var entries: [Key: (expiry: Int, sequence: Int)] = [:]
    private var order: [(key: Key, sequence: Int)] = []
    private var front = 0
    private var sequence = 0
    /// No entry expires before this: lets a sweep of a full model be skipped, as the store does, when nothing can
    /// have expired (the answers are the same either way; the sweep is only slow).
    private var earliest = Int.max

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { entries.count }

    mutating func insertIfAbsent(_ key: Key, now: Int, expiry: Int) -> Bool {
        if let entry = entries[key] {
            guard entry.expiry <= now else { return false }
        } else if entries.count >= capacity {
            makeRoom(now: now)
        }
        sequence += 1
        entries[key] = (expiry, sequence)
        order.append((key, sequence))
        earliest = min(earliest, expiry)
        return true
    }

    mutating func remove(_ key: Key) { entries[key] = nil }

    /// The store's insert: a time to live of zero or less keeps nothing, and only a live entry refuses it.
    mutating func storeInsert(_ key: Key, now: Int, ttl: Int) -> Bool {
        guard ttl > 0 else { return entries[key].map { $0.expiry <= now } ?? true }
        return insertIfAbsent(key, now: now, expiry: now + ttl)
    }

    /// Keys with their expiries, oldest first.
    var entriesInOrder: [(key: Key, expiry: Int)] {
        order[front...].compactMap { record in
            guard let entry = entries[record.key], entry.sequence == record.sequence else { return nil }
            return (record.key, entry.expiry)
        }
    }

    private func isCurrent(_ record: (key: Key, sequence: Int)) -> Bool { entries[record.key]?.sequence == record.sequence }

    private mutating func makeRoom(now: Int) {
        // Expired entries at the front, then any expired entry, then the oldest.
        while front < order.count {
            let record = order[front]
            if let entry = entries[record.key], entry.sequence == record.sequence {
                guard entry.expiry <= now else { break }
                entries[record.key] = nil
            }
            front += 1
        }
        if entries.count >= capacity, earliest <= now {
            entries = entries.filter { $0.value.expiry > now }
            earliest = entries.values.map(\.expiry).min() ?? Int.max
        }
        while entries.count >= capacity, front < order.count {
            let record = order[front]
            front += 1
            if isCurrent(record) { entries[record.key] = nil }
        }
    }
}

@Suite struct DedupDifferentialTests {
    /// Long random sequences on small tables whose keys crowd a few home slots (collisions, runs across the end,
    /// backward shifts, growth from two slots, ring rebuilds), against the model: every answer, the count, and
    /// the entries in order agree after every step, and the table's invariants hold.
    @Test(arguments: 0..<40) func tableMatchesTheModel(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let capacity = Int(rng.next() % 40) + 1
        let table = TableUnderTest(capacity: capacity, initialSize: 2)
        var model = DedupModel<KeyDigest>(capacity: capacity)
        let homes = UInt64(rng.next() % 8) + 1  // how many low bits vary: few homes, long runs
        // Homes centred on the table's end (half of them wrap to its last slots): runs cross it.
        let keys = (0..<UInt64(capacity * 2 + 8)).map { KeyDigest(high: $0, low: (rng.next() % homes) &- homes / 2) }
        var now = 0
        for step in 0..<3000 {
            let key = keys[Int(rng.next() % UInt64(keys.count))]
            switch rng.next() % 8 {
            case 0:
                table.remove(key)
                model.remove(key)
            case 1:
                now += Int(rng.next() % 4)
            default:
                let expiry = now + Int(rng.next() % 12) + 1
                let inserted = table.insertIfAbsent(key, now: UInt32(now), expiry: UInt32(expiry))
                #expect(inserted == model.insertIfAbsent(key, now: now, expiry: expiry), "seed \(seed) step \(step)")
            }
            let same = table.entriesInOrder().map { "\($0.key.high):\($0.expiry)" }
                == model.entriesInOrder.map { "\($0.key.high):\($0.expiry)" }
            #expect(same, "seed \(seed) step \(step)")
            #expect(table.count == model.count)
            let violations = table.invariantViolations()
            #expect(violations == [], "seed \(seed) step \(step)")
            if !same || !violations.isEmpty { return }
        }
    }

    /// The store through its public interface, with an injected clock in whole seconds and TTLs of 0 to 9 s,
    /// against the model: every answer and the count agree.
    @Test(arguments: 0..<20) func storeMatchesTheModel(seed: UInt64) {
        var rng = SplitMix64(seed: 1000 + seed)
        let clock = ManualClock()
        let capacity = Int(rng.next() % 30) + 1
        let store = DedupStore(capacity: capacity, now: { clock.now })
        var model = DedupModel<String>(capacity: capacity)
        clock.advance(by: .seconds(1))
        var now = 1
        let keys = (0..<capacity * 2 + 5).map { "549755885175\u{1F}checkout\u{1F}ev-\($0)" }
        for step in 0..<4000 {
            let key = keys[Int(rng.next() % UInt64(keys.count))]
            switch rng.next() % 8 {
            case 0:
                store.remove(key)
                model.remove(key)
            case 1:
                let seconds = Int(rng.next() % 3)
                clock.advance(by: .seconds(seconds))
                now += seconds
            default:
                let ttl = Int(rng.next() % 10)
                let inserted = rng.next() % 2 == 0
                    ? store.insertIfAbsent(key, ttl: .seconds(ttl))
                    : store.insertIfAbsent(DedupKey("549755885175", "checkout", String(key.split(separator: "\u{1F}")[2])), ttl: .seconds(ttl))
                let expected = model.storeInsert(key, now: now, ttl: ttl)
                #expect(inserted == expected, "seed \(seed) step \(step)")
                if inserted != expected { return }
            }
            #expect(store.count == model.count, "seed \(seed) step \(step)")
            if store.count != model.count { return }
        }
    }

    /// A sharded store is a model per shard, each with its share of the capacity.
    @Test func shardedStoreMatchesAModelPerShard() {
        var rng = SplitMix64(seed: 99)
        let clock = ManualClock()
        let store = DedupStore(capacity: DedupStore.shardingThreshold, now: { clock.now })
        let shardCapacity = DedupStore.shardingThreshold / DedupStore.shardCount
        var models = (0..<DedupStore.shardCount).map { _ in DedupModel<String>(capacity: shardCapacity) }
        clock.advance(by: .seconds(1))
        var now = 1
        let keys = (0..<100_000).map { "k\($0)" }
        for step in 0..<300_000 {
            let key = keys[Int(rng.next() % UInt64(keys.count))]
            let shard = Int(KeyDigest(key).high % UInt64(DedupStore.shardCount))
            switch rng.next() % 16 {
            case 0:
                store.remove(key)
                models[shard].remove(key)
            case 1:
                clock.advance(by: .seconds(1))
                now += 1
            default:
                let ttl = Int(rng.next() % 600)
                let inserted = store.insertIfAbsent(key, ttl: .seconds(ttl))
                let expected = models[shard].storeInsert(key, now: now, ttl: ttl)
                if inserted != expected {
                    Issue.record("step \(step): store \(inserted), model \(expected)")
                    return
                }
            }
        }
        #expect(store.count == models.reduce(0) { $0 + $1.count })
    }
}

private func pair(_ times: (now: UInt32, expiry: UInt32)) -> [UInt32] { [times.now, times.expiry] }

@Suite struct StoreSecondsTests {
    /// Expiries round up and the current time rounds down: an entry never counts as expired before its time to
    /// live has passed, and always does two seconds after.
    @Test func roundingNeverExpiresEarlyAndAtMostTwoSecondsLate() {
        var rng = SplitMix64(seed: 5)
        let epoch = ContinuousClock.now
        let seconds = StoreSeconds(epoch: epoch)
        for _ in 0..<100_000 {
            let inserted = epoch + .nanoseconds(Int64(rng.next() % 10_000_000_000_000))
            let ttl = Duration.nanoseconds(Int64(rng.next() % 100_000_000_000))
            let (_, expiry) = seconds.times(now: inserted, ttl: ttl)
            let trueExpiry = inserted + ttl
            let checked = trueExpiry + .nanoseconds(Int64(rng.next() % 4_000_000_000)) - .seconds(1)
            let (now, _) = seconds.times(now: checked, ttl: .zero)
            if expiry <= now {
                #expect(checked >= trueExpiry, "expired early")
            }
            if checked >= trueExpiry + .seconds(2) {
                #expect(expiry <= now, "expired late")
            }
            #expect(Duration.seconds(Int64(expiry)) - (trueExpiry - epoch) < .seconds(1))
            #expect(Duration.seconds(Int64(expiry)) >= trueExpiry - epoch)
        }
    }

    @Test func edges() {
        let epoch = ContinuousClock.now
        let seconds = StoreSeconds(epoch: epoch)
        #expect(pair(seconds.times(now: epoch, ttl: .zero)) == [0, 1], "0 marks an empty slot, so an expiry is at least 1")
        #expect(pair(seconds.times(now: epoch - .seconds(5), ttl: .seconds(2))) == [0, 1], "a clock before the epoch")
        #expect(pair(seconds.times(now: epoch + .seconds(3), ttl: .seconds(-10))) == [3, 1])
        #expect(pair(seconds.times(now: epoch + .milliseconds(2500), ttl: .seconds(1))) == [2, 4])
        #expect(pair(seconds.times(now: epoch + .seconds(7), ttl: .seconds(60))) == [7, 67])
        #expect(seconds.times(now: epoch, ttl: .seconds(Int64.max)).expiry == UInt32.max)
        #expect(pair(seconds.times(now: epoch + .seconds(Int64(UInt32.max) + 5), ttl: .seconds(1))) == [UInt32.max, UInt32.max])
    }
}
