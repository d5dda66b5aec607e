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
}
