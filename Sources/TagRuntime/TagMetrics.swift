import LuaHost
import Metrics
import Synchronization

/// Tag run and budget-kill counters, cached per label set so a hit does not look up the factory.
/// One instance outlives reloads, so the admin view's counts cover every generation.
public final class TagMetrics: Sendable {
    private let runs = Mutex<[String: (counter: Counter, count: Int)]>([:])
    private let kills = Mutex<[String: Counter]>([:])

    public init() {}

    func tagRun(tag: String, status: TagRunStatus) {
        let key = tag + "\u{1F}" + status.rawValue
        let counter = runs.withLock { runs in
            if let entry = runs[key] {
                runs[key] = (entry.counter, entry.count + 1)
                return entry.counter
            }
            let counter = Counter(label: "tagd_tag_runs_total", dimensions: [("tag", tag), ("outcome", status.rawValue)])
            runs[key] = (counter, 1)
            return counter
        }
        counter.increment()
    }

    /// How often a tag fired, was skipped and failed since the server started.
    public func counts(tag: String) -> [TagRunStatus: Int] {
        runs.withLock { runs in
            var counts: [TagRunStatus: Int] = [:]
            for status in [TagRunStatus.fired, .skipped, .failed] {
                counts[status] = runs[tag + "\u{1F}" + status.rawValue]?.count ?? 0
            }
            return counts
        }
    }

    func budgetKill(script: String, kind: LuaBudgetKind) {
        let kindName = "\(kind)"
        let key = script + "\u{1F}" + kindName
        let counter = kills.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "tagd_budget_kills_total", dimensions: [("tag", script), ("kind", kindName)])
            counters[key] = counter
            return counter
        }
        counter.increment()
    }
}
