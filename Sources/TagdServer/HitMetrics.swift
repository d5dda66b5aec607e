import Metrics
import Synchronization

/// `tagd_hits_total{client, outcome}`, cached per label pair so a hit does no factory lookup.
final class HitMetrics: Sendable {
    private let counters = Mutex<[String: Counter]>([:])
    private let events = Counter(label: "tagd_events_total")

    func hit(client: String, outcome: String) {
        let key = client + "\u{1F}" + outcome
        let counter = counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "tagd_hits_total", dimensions: [("client", client), ("outcome", outcome)])
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    func events(_ count: Int) { events.increment(by: count) }
}
