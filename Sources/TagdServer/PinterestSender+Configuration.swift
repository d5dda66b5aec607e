import PinterestCAPI

extension PinterestSender.Configuration {
    /// The sender's batching, retry and shutdown settings as `tagd serve` is configured.
    public init(_ configuration: TagdConfiguration) {
        self.init(
            baseURL: configuration.pinterestBaseURL,
            maxBatchDelay: .milliseconds(configuration.batchIntervalMilliseconds),
            dedupWindow: .seconds(configuration.duplicateWindowHours * 3600),
            retry: PinterestSender.RetryPolicy(maxAttempts: configuration.maxAttempts),
            shutdownGracePeriod: .seconds(configuration.shutdownFlushSeconds))
    }
}
