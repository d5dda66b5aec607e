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

    private func shard(for key: BaselineKeyDigest) -> Shard {
        shards.count == 1 ? shards[0] : shards[Int(key.high % UInt64(shards.count))]
    }

    public func insertIfAbsent(_ key: String, ttl: Duration) -> Bool {
        insertIfAbsent(BaselineKeyDigest(key), ttl: ttl)
    }

    public func remove(_ key: String) {
        remove(BaselineKeyDigest(key))
    }

    public func insertIfAbsent(_ key: DedupKey, ttl: Duration) -> Bool {
        insertIfAbsent(BaselineKeyDigest(key), ttl: ttl)
    }

    public func remove(_ key: DedupKey) {
        remove(BaselineKeyDigest(key))
    }

    private func insertIfAbsent(_ key: BaselineKeyDigest, ttl: Duration) -> Bool {
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

    private func remove(_ key: BaselineKeyDigest) {
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

        var entries: [BaselineKeyDigest: Entry] = [:]
        var order = BaselineFIFO<(key: BaselineKeyDigest, sequence: UInt64)>()
        var nextSequence: UInt64 = 0
        /// No entry expires before this instant, so a sweep for expired entries is pointless until then.
        var earliestExpiry: ContinuousClock.Instant?

        mutating func insert(_ key: BaselineKeyDigest, expiresAt: ContinuousClock.Instant) {
            nextSequence += 1
            entries[key] = Entry(expiresAt: expiresAt, sequence: nextSequence)
            recordInsert(key, expiresAt: expiresAt)
        }

        /// `insert` unless `key` has an entry that has not expired at `now` (then false), in one probe of the
        /// dictionary where a lookup and then an insert hashed the key twice or three times. The caller has
        /// seen that the store has room.
        mutating func insertUnlessLive(_ key: BaselineKeyDigest, now: ContinuousClock.Instant, expiresAt: ContinuousClock.Instant) -> Bool {
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

        private mutating func recordInsert(_ key: BaselineKeyDigest, expiresAt: ContinuousClock.Instant) {
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

/// A key as the store keeps it: 128 bits from two differently salted hashes of its text, instead of the
/// text itself. Keys such as `account|event_name|event_id` run to 40 bytes or more and a store holds up to
/// a million of them; 16 inline bytes halve the memory and need no reference counting. Two keys share a
/// digest with a probability of about n² / 2¹²⁹ (around 10⁻²⁷ for a million keys), which would make the
/// later one look like a duplicate. The hashes are seeded per process, like Swift's own, so digests are
/// never stored or compared across processes.
struct BaselineKeyDigest: Hashable {
    let high: UInt64
    let low: UInt64

    init(_ key: String) {
        var first = Hasher()
        first.combine(0x7461_6764_6B65_7931 as UInt64)
        first.combine(key)
        var second = Hasher()
        second.combine(0x7461_6764_6B65_7932 as UInt64)
        second.combine(key)
        high = UInt64(bitPattern: Int64(first.finalize()))
        low = UInt64(bitPattern: Int64(second.finalize()))
    }

    /// The digest of `key.joined`, from the fields' bytes when they are all ASCII: a `String` hashes as its
    /// bytes (normalized to NFC, which ASCII is) then 0xFF, so those bytes, joined on the stack and fed in one
    /// call, give the same digest (a test holds the two to it). Other text is joined, and hashed as a `String`.
    /// How a `String` feeds its hasher is the standard library's own business: if a release changes it, the
    /// check made once per process (`bytesHashAsStrings`) sends every key through the joined `String`.
    init(_ key: DedupKey) {
        var first = key.first, second = key.second, third = key.third
        let digest = first.withUTF8 { a in
            second.withUTF8 { b in
                third.withUTF8 { c -> (UInt64, UInt64)? in
                    let count = a.count + b.count + c.count + 3
                    guard count <= 512, Self.bytesHashAsStrings, Self.isASCII(a), Self.isASCII(b), Self.isASCII(c)
                    else { return nil }
                    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { joined in
                        var end = 0
                        func add(_ field: UnsafeBufferPointer<UInt8>, _ separator: UInt8) {
                            _ = UnsafeMutableBufferPointer(rebasing: joined[end..<end + field.count]).initialize(from: field)
                            end += field.count
                            joined[end] = separator
                            end += 1
                        }
                        add(a, 0x1F)
                        add(b, 0x1F)
                        add(c, 0xFF)  // String's terminator
                        let bytes = UnsafeRawBufferPointer(joined)
                        return (Self.hash(0x7461_6764_6B65_7931, bytes), Self.hash(0x7461_6764_6B65_7932, bytes))
                    }
                }
            }
        }
        if let (high, low) = digest {
            self.init(high: high, low: low)
        } else {
            self.init(key.joined)
        }
    }

    /// Whether an ASCII key's bytes, hashed as `init(_: DedupKey)` hashes them, give its `String`'s digest.
    static let bytesHashAsStrings: Bool = {
        let bytes: [UInt8] = Array("acct\u{1F}purchase\u{1F}ev-1".utf8) + [0xFF]
        let fromBytes = bytes.withUnsafeBytes { raw in
            (hash(0x7461_6764_6B65_7931, raw), hash(0x7461_6764_6B65_7932, raw))
        }
        let fromString = BaselineKeyDigest("acct\u{1F}purchase\u{1F}ev-1")
        return fromBytes.0 == fromString.high && fromBytes.1 == fromString.low
    }()

    private init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    private static func hash(_ salt: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(salt)
        hasher.combine(bytes: bytes)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var high: UInt8 = 0
        for byte in bytes { high |= byte }
        return high < 0x80
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(low)  // already uniformly distributed; `high` picks the shard
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
