extension PinterestSender {
    /// How the sender batches, retries, deduplicates and shuts down.
    public struct Configuration: Sendable {
        /// Scheme and host (and port) of the API; requests go to `{baseURL}/v5/ad_accounts/{id}/events`.
        public var baseURL: String
        /// Events per request; Pinterest accepts at most 1,000.
        public var maxBatchSize: Int
        /// The longest an event waits for its batch to fill before the batch is sent anyway.
        public var maxBatchDelay: Duration
        /// A repeat of (ad account, event_name, event_id) within this window is dropped.
        public var dedupWindow: Duration
        public var retry: RetryPolicy
        /// Time allowed for one HTTP request, connection included.
        public var requestTimeout: Duration
        /// Time allowed to deliver what is queued when ServiceLifecycle asks the sender to stop.
        public var shutdownGracePeriod: Duration
        /// Largest response body read; Pinterest's answers are a few hundred bytes per event.
        public var maxResponseBytes: Int

        public init(
            baseURL: String = "https://api.pinterest.com",
            maxBatchSize: Int = 1_000,
            maxBatchDelay: Duration = .seconds(1),
            dedupWindow: Duration = .seconds(48 * 3600),
            retry: RetryPolicy = RetryPolicy(),
            requestTimeout: Duration = .seconds(30),
            shutdownGracePeriod: Duration = .seconds(10),
            maxResponseBytes: Int = 4 << 20
        ) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.maxBatchSize = min(max(1, maxBatchSize), 1_000)
            self.maxBatchDelay = max(maxBatchDelay, .zero)
            self.dedupWindow = dedupWindow
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.shutdownGracePeriod = shutdownGracePeriod
            self.maxResponseBytes = maxResponseBytes
        }
    }
}
