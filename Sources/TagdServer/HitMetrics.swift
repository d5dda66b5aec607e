import Metrics
import TagRuntime

/// `tagd_hits_total{client, outcome}` and `tagd_events_total`.
final class HitMetrics: Sendable {
    private let hits = LabeledCounters(label: "tagd_hits_total", dimensions: ["client", "outcome"])
    private let events = Counter(label: "tagd_events_total")
    /// The counters every accepted hit increments, made once per client: looking them up per hit took a lock
    /// both event loops contend for, an array and two string hashes. Never changed, so read without a lock.
    private let accepted: [String: LabeledCounter]

    init() {
        let hits = self.hits
        let clients = [HitHandler.clients.json, HitHandler.clients.ga4]
        accepted = Dictionary(uniqueKeysWithValues: clients.map { ($0, hits.counter([$0, "accepted"])) })
    }

    func hit(client: String, outcome: String) {
        if outcome == "accepted", let counter = accepted[client] {
            counter.increment()
        } else {
            hits.increment(client, outcome)
        }
    }

    func events(_ count: Int) { events.increment(by: count) }
}
