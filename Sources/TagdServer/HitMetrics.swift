import Metrics
import TagRuntime

/// `tagd_hits_total{client, outcome}` and `tagd_events_total`.
final class HitMetrics: Sendable {
    private let hits = LabeledCounters(label: "tagd_hits_total", dimensions: ["client", "outcome"])
    private let events = Counter(label: "tagd_events_total")
    /// The counters every accepted hit increments, made once: looking them up per hit took a lock both
    /// event loops contend for, an array and two string hashes.
    private let acceptedJSON: LabeledCounter
    private let acceptedGA4: LabeledCounter

    init() {
        acceptedJSON = hits.counter(["json", "accepted"])
        acceptedGA4 = hits.counter(["ga4", "accepted"])
    }

    func hit(client: String, outcome: String) {
        if outcome == "accepted" {
            if client == "json" { return acceptedJSON.increment() }
            if client == "ga4" { return acceptedGA4.increment() }
        }
        hits.increment(client, outcome)
    }

    func events(_ count: Int) { events.increment(by: count) }
}
