import Metrics
import Synchronization

/// The sender's swift-metrics instruments. The factory is injectable so tests read their own
/// numbers (MetricsTestKit) instead of bootstrapping the process-wide metrics system.
final class SenderMetrics: Sendable {
    let queued: Counter
    let sent: Counter
    let retried: Counter
    let failed: Counter
    let duplicate: Counter
    let dryRun: Counter
    let invalid: Counter
    let batchSize: Recorder
    private let factory: any MetricsFactory
    private let timers = Mutex<[String: Metrics.Timer]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
        queued = Counter(label: "pinterest_events_queued_total", factory: factory)
        sent = Counter(label: "pinterest_events_sent_total", factory: factory)
        retried = Counter(label: "pinterest_events_retried_total", factory: factory)
        failed = Counter(label: "pinterest_events_failed_total", factory: factory)
        duplicate = Counter(label: "pinterest_events_duplicate_total", factory: factory)
        dryRun = Counter(label: "pinterest_events_dry_run_total", factory: factory)
        invalid = Counter(label: "pinterest_events_invalid_total", factory: factory)
        batchSize = Recorder(label: "pinterest_batch_size", factory: factory)
    }

    /// Records one request's duration under its outcome: an HTTP status code, or `network_error`.
    func recordRequest(duration: Duration, status: String) {
        let timer = timers.withLock { timers in
            if let timer = timers[status] { return timer }
            let timer = Metrics.Timer(
                label: "pinterest_request_duration_seconds", dimensions: [("status", status)], factory: factory)
            timers[status] = timer
            return timer
        }
        timer.recordNanoseconds(duration.nanosecondsClamped)
    }
}
