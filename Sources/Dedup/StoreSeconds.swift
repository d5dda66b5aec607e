/// Time as the store keeps it: whole seconds since the store was made, in 32 bits (136 years), so that an entry's
/// expiry fits beside its digest in one table slot instead of a 16-byte `ContinuousClock.Instant`.
///
/// Rounding never lets an entry expire early: an expiry is rounded up and the current time down, so an entry may
/// outlive its time to live by less than a second, never less.
struct StoreSeconds: Sendable {
    let epoch: ContinuousClock.Instant

    /// The current time in store seconds and the expiry of an entry inserted now with `ttl`. Expiries are at
    /// least 1: a table marks an empty slot with 0.
    @inline(__always)
    func times(now instant: ContinuousClock.Instant, ttl: Duration) -> (now: UInt32, expiry: UInt32) {
        let elapsed = instant - epoch
        return (Self.roundedDown(elapsed), max(1, Self.roundedUp(elapsed + ttl)))
    }

    /// Durations from this on are `UInt32.max` seconds (and `components` would trap on the largest).
    static let range = Duration.seconds(Int64(UInt32.max))

    /// Whole seconds in `duration`, rounded down; 0 for a negative one (a clock injected by a test may start
    /// before the store), `UInt32.max` past the range.
    static func roundedDown(_ duration: Duration) -> UInt32 {
        guard duration > .zero else { return 0 }
        guard duration < Self.range else { return .max }
        return UInt32(duration.components.seconds)
    }

    /// Whole seconds in `duration`, rounded up; 0 for a negative one, `UInt32.max` past the range.
    static func roundedUp(_ duration: Duration) -> UInt32 {
        guard duration > .zero else { return 0 }
        guard duration < Self.range else { return .max }
        let (seconds, attoseconds) = duration.components  // both non-negative here
        return UInt32(clamping: attoseconds > 0 ? seconds + 1 : seconds)
    }
}
