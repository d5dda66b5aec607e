import Metrics
import Synchronization

/// Counters of one metric, made once per label set: a hit then costs a dictionary lookup, not a trip
/// through the metrics factory. Also keeps the counts, for views that read them back (the admin view).
public final class LabeledCounters: Sendable {
    private let label: String
    private let dimensionNames: [String]
    private let counters = Mutex<[[String]: (counter: Counter, count: Int)]>([:])

    public init(label: String, dimensions: [String]) {
        self.label = label
        self.dimensionNames = dimensions
    }

    /// Adds one to the counter of these dimension values (in the order given at init).
    public func increment(_ values: String...) {
        let counter = counters.withLock { counters in
            if let entry = counters[values] {
                counters[values] = (entry.counter, entry.count + 1)
                return entry.counter
            }
            let counter = Counter(label: label, dimensions: Array(zip(dimensionNames, values)))
            counters[values] = (counter, 1)
            return counter
        }
        counter.increment()
    }

    public func count(_ values: String...) -> Int {
        counters.withLock { $0[values]?.count ?? 0 }
    }
}
