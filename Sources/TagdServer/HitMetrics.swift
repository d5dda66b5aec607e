import Metrics
import TagRuntime

/// `tagd_hits_total{client, outcome}` and `tagd_events_total`.
final class HitMetrics: Sendable {
    private let hits = LabeledCounters(label: "tagd_hits_total", dimensions: ["client", "outcome"])
    private let events = Counter(label: "tagd_events_total")
    /// The counters every accepted hit increments, made once per client: looking them up per hit took a lock
    /// both event loops contend for, an array and two string hashes. Never changed, so read without a lock;
    /// one property per client, picked by comparing the client's name (a dictionary hashed it, ~300
    /// instructions a hit).
    private let acceptedJSON: LabeledCounter
    private let acceptedGA4: LabeledCounter

    init() {
        acceptedJSON = hits.counter([HitHandler.clients.json, "accepted"])
        acceptedGA4 = hits.counter([HitHandler.clients.ga4, "accepted"])
    }

    func hit(client: String, outcome: String) {
        if outcome == "accepted", client == HitHandler.clients.json {
            acceptedJSON.increment()
        } else if outcome == "accepted", client == HitHandler.clients.ga4 {
            acceptedGA4.increment()
        } else {
            hits.increment(client, outcome)
        }
    }

    func events(_ count: Int) { events.increment(by: count) }
}
