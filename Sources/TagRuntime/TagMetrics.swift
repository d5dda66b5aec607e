import LuaHost

/// Tag run and budget-kill counters. One instance outlives reloads, so the admin view's counts cover
/// every generation.
public final class TagMetrics: Sendable {
    private let runs = LabeledCounters(label: "tagd_tag_runs_total", dimensions: ["tag", "outcome"])
    private let kills = LabeledCounters(label: "tagd_budget_kills_total", dimensions: ["tag", "kind"])

    public init() {}

    /// A tag's run counters, looked up once when a generation loads.
    func runCounters(tag: String) -> TagRunCounters {
        TagRunCounters(
            fired: runs.counter([tag, TagRunStatus.fired.rawValue]),
            skipped: runs.counter([tag, TagRunStatus.skipped.rawValue]),
            failed: runs.counter([tag, TagRunStatus.failed.rawValue]))
    }

    func budgetKill(script: String, kind: LuaBudgetKind) {
        kills.increment(script, kind.rawValue)
    }

    /// How often a tag fired, was skipped and failed since the server started.
    public func counts(tag: String) -> [TagRunStatus: Int] {
        [.fired: runs.count(tag, "fired"), .skipped: runs.count(tag, "skipped"), .failed: runs.count(tag, "failed")]
    }
}

/// The `tagd_tag_runs_total` counters of one tag.
struct TagRunCounters: Sendable {
    let fired: LabeledCounter
    let skipped: LabeledCounter
    let failed: LabeledCounter

    func record(_ status: TagRunStatus) {
        switch status {
        case .fired: fired.increment()
        case .skipped: skipped.increment()
        case .failed: failed.increment()
        }
    }
}
