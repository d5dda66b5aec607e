import Metrics
import Synchronization

/// Counters of one metric, made once per label set. Also keeps the counts, for views that read them
/// back (the admin view). A hot path holds the `LabeledCounter` of its labels (`counter(_:)`) and
/// increments it with no lock, no allocation and no hashing.
public final class LabeledCounters: Sendable {
    private let label: String
    private let dimensionNames: [String]
    private let counters = Mutex<[[String]: LabeledCounter]>([:])

    public init(label: String, dimensions: [String]) {
        self.label = label
        self.dimensionNames = dimensions
    }

    /// The counter of these dimension values (in the order given at init), made on first use.
    public func counter(_ values: [String]) -> LabeledCounter {
        counters.withLock { counters in
            if let counter = counters[values] { return counter }
            let counter = LabeledCounter(Counter(label: label, dimensions: Array(zip(dimensionNames, values))))
            counters[values] = counter
            return counter
        }
    }

    /// Adds one to the counter of these dimension values.
    public func increment(_ values: String...) {
        counter(values).increment()
    }

    public func count(_ values: String...) -> Int {
        counters.withLock { $0[values]?.count ?? 0 }
    }
}

/// One label set's counter, and its count since start.
public final class LabeledCounter: Sendable {
    private let counter: Counter
    private let total = Atomic<Int>(0)

    init(_ counter: Counter) { self.counter = counter }

    public func increment() {
        total.add(1, ordering: .relaxed)
        counter.increment()
    }

    public var count: Int { total.load(ordering: .relaxed) }
}
