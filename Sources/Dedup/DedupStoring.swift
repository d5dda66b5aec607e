/// A first-seen check with a time to live, so that a durable store (SQLite, PostgreSQL) can replace
/// the in-memory ``DedupStore`` without touching its callers.
///
/// It is synchronous on purpose: callers use it on their hot path (accepting an event) without awaiting.
public protocol DedupStoring: Sendable {
    /// Records `key` and returns `true` only if it was not already recorded within its time to live.
    /// The check and the insert must be one atomic step: two callers racing on one key never both win.
    func insertIfAbsent(_ key: String, ttl: Duration) -> Bool

    /// Forgets `key`, so that a caller can undo an insert when the work it guarded could not be done
    /// (the event could not be queued, say) and a retry of the same work is not dropped as a duplicate.
    func remove(_ key: String)

    /// `insertIfAbsent(key.joined, ttl:)`: a store may use the fields without joining them.
    func insertIfAbsent(_ key: DedupKey, ttl: Duration) -> Bool

    /// `remove(key.joined)`.
    func remove(_ key: DedupKey)

    /// `insertIfAbsent(_: DedupKey, ttl:)` with the fields as UTF-8 (decoded with repairs, as `String(decoding:)`
    /// does): a caller that holds them as bytes makes no strings for a store that digests bytes.
    func insertIfAbsent(
        utf8 first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, _ third: UnsafeBufferPointer<UInt8>,
        ttl: Duration
    ) -> Bool

    /// `remove(_: DedupKey)` with the fields as UTF-8.
    func remove(utf8 first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, _ third: UnsafeBufferPointer<UInt8>)
}

extension DedupStoring {
    public func insertIfAbsent(_ key: DedupKey, ttl: Duration) -> Bool { insertIfAbsent(key.joined, ttl: ttl) }
    public func remove(_ key: DedupKey) { remove(key.joined) }

    public func insertIfAbsent(
        utf8 first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, _ third: UnsafeBufferPointer<UInt8>,
        ttl: Duration
    ) -> Bool {
        insertIfAbsent(DedupKey(utf8: first, second, third), ttl: ttl)
    }

    public func remove(utf8 first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, _ third: UnsafeBufferPointer<UInt8>) {
        remove(DedupKey(utf8: first, second, third))
    }
}

/// A key of three fields joined by the ASCII unit separator (U+001F), such as `account␟event_name␟event_id`:
/// the in-memory store digests the fields as they are, without building the joined string (an allocation
/// and a copy per event).
public struct DedupKey: Sendable, Equatable {
    public var first: String
    public var second: String
    public var third: String

    public init(_ first: String, _ second: String, _ third: String) {
        self.first = first
        self.second = second
        self.third = third
    }

    /// The fields decoded from UTF-8, with repairs (`String(decoding:)`).
    public init(utf8 first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, _ third: UnsafeBufferPointer<UInt8>) {
        self.init(String(decoding: first, as: UTF8.self), String(decoding: second, as: UTF8.self), String(decoding: third, as: UTF8.self))
    }

    /// The fields joined, built in one allocation.
    public var joined: String {
        var key = ""
        key.reserveCapacity(first.utf8.count + second.utf8.count + third.utf8.count + 2)
        key += first
        key += "\u{1F}"
        key += second
        key += "\u{1F}"
        key += third
        return key
    }
}
