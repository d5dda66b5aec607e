import Metrics
import Prometheus
import Synchronization

/// swift-metrics can be bootstrapped once per process; servers (and tests that start several) share
/// one Prometheus registry that `GET /metrics` renders.
public enum MetricsBootstrap {
    private static let state = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The process-wide registry, bootstrapping swift-metrics with it on first use.
    public static var registry: PrometheusCollectorRegistry {
        state.withLock { registry in
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            registry = created
            return created
        }
    }

    /// The Prometheus text exposition of every metric.
    public static func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
