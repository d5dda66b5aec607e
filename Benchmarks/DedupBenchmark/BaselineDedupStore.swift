// The dedup store as it was before its open-addressing tables (a Dictionary and a FIFO per shard), kept here
// only as the benchmark's baseline.
import Dedup
import Synchronization

/// In-memory ``DedupStoring``: a dictionary of keys to expiry instants under a `Mutex`,
/// bounded by `capacity` so that a flood of distinct keys cannot grow memory without limit.
///
/// When an insert finds the store full it makes room in this order: entries whose time to live has
/// passed, then the oldest entries (first inserted). Time comes from the injected `now` so that
/// tests move it by hand instead of sleeping.
///
/// A large store is split into shards by key, each with its own lock and share of the capacity: a
/// dictionary that grows rehashes every key while the lock is held, which for a million keys stalls
/// the hits waiting on it for tens of milliseconds; a shard rehashes a 64th of that. Eviction of the
/// oldest entry then happens per shard, which for keys spread by hash is the oldest overall, nearly.
final class BaselineDedupStore: DedupStoring {
    public let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let shards: [Shard]
    private let shardCapacity: Int

    /// Stores this large or larger are sharded; smaller ones keep one exact first-in first-out order.
    static let shardingThreshold = 65_536
    static let shardCount = 64

    final class Shard: Sendable {
        let state = Mutex(State())
    }

    /// - Parameters:
    ///   - capacity: the most keys kept at once (at least 1).
    ///   - now: the current time; `ContinuousClock.now` unless a test injects its own.
    public init(
        capacity: Int = 1_000_000,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.capacity = max(1, capacity)
        self.now = now
        let count = self.capacity >= Self.shardingThreshold ? Self.shardCount : 1
        self.shards = (0..<count).map { _ in Shard() }
        self.shardCapacity = max(1, self.capacity / count)  // never more than `capacity` in all
    }

    private func shard(for key: KeyDigest) -> Shard {
        shards.count == 1 ? shards[0] : shards[Int(key.high % UInt64(shards.count))]
    }

    public func insertIfAbsent(_ key: String, ttl: Duration) -> Bool {
        insertIfAbsent(KeyDigest(key), ttl: ttl)
    }

    public func remove(_ key: String) {
        remove(KeyDigest(key))
    }

    public func insertIfAbsent(_ key: DedupKey, ttl: Duration) -> Bool {
        insertIfAbsent(KeyDigest(key), ttl: ttl)
    }

    public func remove(_ key: DedupKey) {
        remove(KeyDigest(key))
    }

    private func insertIfAbsent(_ key: KeyDigest, ttl: Duration) -> Bool {
        let now = self.now()
        let capacity = shardCapacity
        return shard(for: key).state.withLock { state in
            if state.entries.count < capacity {
                return state.insertUnlessLive(key, now: now, expiresAt: now + ttl)
            }
            if let existing = state.entries[key], existing.expiresAt > now {
                return false
            }
            if state.entries[key] == nil {
                state.makeRoom(capacity: capacity, now: now)
            }
            state.insert(key, expiresAt: now + ttl)
            return true
        }
    }

    private func remove(_ key: KeyDigest) {
        shard(for: key).state.withLock { state in _ = state.entries.removeValue(forKey: key) }
    }

    /// How many keys are held (expired ones included until they are evicted).
    public var count: Int {
        shards.reduce(0) { total, shard in total + shard.state.withLock { $0.entries.count } }
    }
}

extension BaselineDedupStore {
    /// The store's contents. Insertion order lives in `order`, a BaselineFIFO of (key, sequence) records;
    /// a record whose sequence no longer matches its key's entry is stale (the key was removed or
    /// re-inserted later) and is skipped when it reaches the front.
    struct State {
        struct Entry {
            var expiresAt: ContinuousClock.Instant
            var sequence: UInt64
        }

        var entries: [KeyDigest: Entry] = [:]
        var order = BaselineFIFO<(key: KeyDigest, sequence: UInt64)>()
        var nextSequence: UInt64 = 0
        /// No entry expires before this instant, so a sweep for expired entries is pointless until then.
        var earliestExpiry: ContinuousClock.Instant?

        mutating func insert(_ key: KeyDigest, expiresAt: ContinuousClock.Instant) {
            nextSequence += 1
            entries[key] = Entry(expiresAt: expiresAt, sequence: nextSequence)
            recordInsert(key, expiresAt: expiresAt)
        }

        /// `insert` unless `key` has an entry that has not expired at `now` (then false), in one probe of the
        /// dictionary where a lookup and then an insert hashed the key twice or three times. The caller has
        /// seen that the store has room.
        mutating func insertUnlessLive(_ key: KeyDigest, now: ContinuousClock.Instant, expiresAt: ContinuousClock.Instant) -> Bool {
            let sequence = nextSequence + 1
            // An absent key gets a placeholder that has expired at `now`, and is then set like an expired one.
            let inserted = Self.replaceIfExpired(
                &entries[key, default: Entry(expiresAt: now, sequence: 0)], now: now,
                with: Entry(expiresAt: expiresAt, sequence: sequence))
            guard inserted else { return false }
            nextSequence = sequence
            recordInsert(key, expiresAt: expiresAt)
            return true
        }

        @inline(__always)
        private static func replaceIfExpired(_ entry: inout Entry, now: ContinuousClock.Instant, with fresh: Entry) -> Bool {
            guard entry.expiresAt <= now else { return false }
            entry = fresh
            return true
        }

        private mutating func recordInsert(_ key: KeyDigest, expiresAt: ContinuousClock.Instant) {
            order.append((key, nextSequence))
            if let earliest = earliestExpiry {
                earliestExpiry = min(earliest, expiresAt)
            } else {
                earliestExpiry = expiresAt
            }
            // Stale records pile up when keys are removed or re-inserted: rebuild the BaselineFIFO once they
            // outnumber the live ones, so memory stays proportional to `entries`.
            if order.count > 2 * entries.count + 16 {
                order = BaselineFIFO(order.elements.filter { entries[$0.key]?.sequence == $0.sequence })
            }
        }

        /// Frees at least one slot: expired entries first, then the oldest.
        mutating func makeRoom(capacity: Int, now: ContinuousClock.Instant) {
            // Cheap case (one TTL for every key): expired entries sit at the front of the BaselineFIFO.
            while let front = order.first {
                guard let entry = entries[front.key], entry.sequence == front.sequence else {
                    order.removeFirst()  // stale record
                    continue
                }
                guard entry.expiresAt <= now else { break }
                order.removeFirst()
                entries.removeValue(forKey: front.key)
            }
            // Mixed TTLs: an expired entry may hide behind a live one. Sweep only when one exists.
            if entries.count >= capacity, let earliest = earliestExpiry, earliest <= now {
                entries = entries.filter { $0.value.expiresAt > now }
                earliestExpiry = entries.values.map(\.expiresAt).min()
            }
            // Still full: evict the oldest live entries.
            while entries.count >= capacity, let front = order.removeFirst() {
                if entries[front.key]?.sequence == front.sequence {
                    entries.removeValue(forKey: front.key)
                }
            }
        }
    }
}


/// A first-in first-out queue with O(1) amortised `append` and `removeFirst`, so that the module
/// needs no dependency (swift-collections' Deque would do the same).
struct BaselineFIFO<Element> {
    private var storage: [Element]
    private var head = 0

    init(_ elements: [Element] = []) {
        storage = elements
    }

    var count: Int { storage.count - head }
    var first: Element? { head < storage.count ? storage[head] : nil }
    var elements: ArraySlice<Element> { storage[head...] }

    mutating func append(_ element: Element) {
        storage.append(element)
    }

    @discardableResult
    mutating func removeFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        // Give the consumed prefix back once it is the larger half.
        if head > 32, head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }
}
