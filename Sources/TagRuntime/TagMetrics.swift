import LuaHost

/// Tag run and budget-kill counters. One instance outlives reloads, so the admin view's counts cover
/// every generation.
public final class TagMetrics: Sendable {
    private let runs = LabeledCounters(label: "tagd_tag_runs_total", dimensions: ["tag", "outcome"])
    private let kills = LabeledCounters(label: "tagd_budget_kills_total", dimensions: ["tag", "kind"])

    public init() {}

    func tagRun(tag: String, status: TagRunStatus) {
        runs.increment(tag, status.rawValue)
    }

    func budgetKill(script: String, kind: LuaBudgetKind) {
        kills.increment(script, kind.rawValue)
    }

    /// How often a tag fired, was skipped and failed since the server started.
    public func counts(tag: String) -> [TagRunStatus: Int] {
        [.fired: runs.count(tag, "fired"), .skipped: runs.count(tag, "skipped"), .failed: runs.count(tag, "failed")]
    }
}
