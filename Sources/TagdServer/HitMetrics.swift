import Metrics
import TagRuntime

/// `tagd_hits_total{client, outcome}` and `tagd_events_total`.
final class HitMetrics: Sendable {
    private let hits = LabeledCounters(label: "tagd_hits_total", dimensions: ["client", "outcome"])
    private let events = Counter(label: "tagd_events_total")

    func hit(client: String, outcome: String) { hits.increment(client, outcome) }

    func events(_ count: Int) { events.increment(by: count) }
}
