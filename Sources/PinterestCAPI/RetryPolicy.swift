extension PinterestSender {
    /// When and how often a batch is tried again after a network error, a 429 or a 5xx.
    ///
    /// Delays grow exponentially with "full jitter" (a random delay between zero and the current
    /// ceiling), so that many instances that failed together do not retry together. A `Retry-After`
    /// answer replaces the computed delay (up to `maxRetryAfter`). The randomness and the sleep are
    /// injectable so tests are deterministic and take no real time.
    public struct RetryPolicy: Sendable {
        /// Attempts in all, the first one included (at least 1).
        public var maxAttempts: Int
        /// Ceiling of the delay before the first retry; it doubles with each attempt.
        public var baseDelay: Duration
        /// Highest ceiling the doubling may reach.
        public var maxDelay: Duration
        /// Longest `Retry-After` obeyed; a longer one is cut to this.
        public var maxRetryAfter: Duration
        /// Picks the delay in `0...ceiling`. Uniformly random by default.
        public var jitter: @Sendable (_ ceiling: Duration) -> Duration
        /// Waits. `Task.sleep` by default; it must throw when the task is cancelled (shutdown).
        public var sleep: @Sendable (Duration) async throws -> Void

        public init(
            maxAttempts: Int = 8,
            baseDelay: Duration = .milliseconds(500),
            maxDelay: Duration = .seconds(30),
            maxRetryAfter: Duration = .seconds(300),
            jitter: @escaping @Sendable (_ ceiling: Duration) -> Duration = RetryPolicy.uniformJitter,
            sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
        ) {
            self.maxAttempts = max(1, maxAttempts)
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.maxRetryAfter = maxRetryAfter
            self.jitter = jitter
            self.sleep = sleep
        }

        /// The delay before attempt `failedAttempt + 1`.
        public func delay(afterAttempt failedAttempt: Int, retryAfter: Duration?) -> Duration {
            if let retryAfter {
                return min(max(retryAfter, .zero), maxRetryAfter)
            }
            let doublings = min(max(failedAttempt - 1, 0), 40)
            let ceiling = min(baseDelay * (1 << doublings), maxDelay)
            return min(max(jitter(ceiling), .zero), ceiling)
        }

        public static let uniformJitter: @Sendable (Duration) -> Duration = { ceiling in
            let nanoseconds = ceiling.nanosecondsClamped
            return nanoseconds > 0 ? .nanoseconds(Int64.random(in: 0...nanoseconds)) : .zero
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at `Int64.max` (about 292 years).
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        guard seconds < Int64.max / 1_000_000_000 else { return .max }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
