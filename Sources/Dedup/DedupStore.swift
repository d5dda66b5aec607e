import Synchronization

/// In-memory ``DedupStoring``: 128-bit key digests with their expiries in open-addressing tables under `Mutex`es,
/// bounded by `capacity` so that a flood of distinct keys cannot grow memory without limit.
///
/// When an insert finds the store full it makes room in this order: entries whose time to live has
/// passed, then the oldest entries (first inserted). Time comes from the injected `now` so that
/// tests move it by hand instead of sleeping; it is kept in whole seconds (``StoreSeconds``), rounded so that
/// an entry never expires early and at most a second late; a time to live of zero or less keeps nothing.
///
/// A large store is split into shards by key, each with its own lock and share of the capacity: a
/// table that grows moves every key while the lock is held, which for a million keys would stall
/// the hits waiting on it for milliseconds; a shard moves a 64th of that. Eviction of the
/// oldest entry then happens per shard, which for keys spread by hash is the oldest overall, nearly.
/// Each shard's ``DigestTable`` finds a key in about one cache miss and holds it in about 60 bytes.
public final class DedupStore: DedupStoring {
    public let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let seconds: StoreSeconds
    private let shards: [Shard]

    /// Stores this large or larger are sharded; smaller ones keep one exact first-in first-out order.
    static let shardingThreshold = 65_536
    static let shardCount = 64

    final class Shard: Sendable {
        let table: Mutex<DigestTable>

        init(capacity: Int) {
            table = Mutex(DigestTable(capacity: capacity))
        }
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
        self.seconds = StoreSeconds(epoch: now())
        let count = self.capacity >= Self.shardingThreshold ? Self.shardCount : 1
        let shardCapacity = max(1, self.capacity / count)  // never more than `capacity` in all
        self.shards = (0..<count).map { _ in Shard(capacity: shardCapacity) }
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

    public func insertIfAbsent(
        utf8 first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, _ third: UnsafeBufferPointer<UInt8>,
        ttl: Duration
    ) -> Bool {
        insertIfAbsent(KeyDigest(utf8: first, second, third), ttl: ttl)
    }

    public func remove(utf8 first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, _ third: UnsafeBufferPointer<UInt8>) {
        remove(KeyDigest(utf8: first, second, third))
    }

    private func insertIfAbsent(_ key: KeyDigest, ttl: Duration) -> Bool {
        let (now, expiry) = seconds.times(now: self.now(), ttl: ttl)
        // No time to live: the entry would expire at once (whole seconds would keep it to the end of this one),
        // so nothing is kept; only a live entry of the key refuses it.
        guard ttl > .zero else { return shard(for: key).table.withLock { !$0.isLive(key, now: now) } }
        return shard(for: key).table.withLock { $0.insertIfAbsent(key, now: now, expiry: expiry) }
    }

    private func remove(_ key: KeyDigest) {
        shard(for: key).table.withLock { $0.remove(key) }
    }

    /// How many keys are held (expired ones included until they are evicted).
    public var count: Int {
        shards.reduce(0) { total, shard in total + shard.table.withLock { $0.count } }
    }
}
