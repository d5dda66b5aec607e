/// Budgets enforced on scripts. Defaults are far above what a normal tag
/// needs, so only runaway or hostile code meets them.
public struct LuaLimits: Sendable, Hashable {
    /// VM instructions per invocation (C pattern-matching and table-library
    /// steps are charged against the same budget).
    public var instructionsPerInvocation: Int
    /// Wall-clock time per invocation.
    public var timePerInvocation: Duration
    /// Memory cap for the whole VM, enforced by its allocator.
    public var memoryPerVM: Int
    /// Largest accepted source (bytes); checked before parsing.
    public var maxSourceSize: Int
    /// Deepest table nesting converted between Lua and the host.
    public var maxResultDepth: Int
    /// Instructions between two budget checks by the count hook. Larger is
    /// faster; the instruction budget is enforced with this granularity.
    public var hookInterval: Int

    public init(
        instructionsPerInvocation: Int = 10_000_000,
        timePerInvocation: Duration = .seconds(1),
        memoryPerVM: Int = 64 << 20,
        maxSourceSize: Int = 1 << 20,
        maxResultDepth: Int = 32,
        hookInterval: Int = 1000
    ) {
        self.instructionsPerInvocation = instructionsPerInvocation
        self.timePerInvocation = timePerInvocation
        self.memoryPerVM = memoryPerVM
        self.maxSourceSize = maxSourceSize
        self.maxResultDepth = maxResultDepth
        self.hookInterval = hookInterval
    }

    public static let `default` = LuaLimits()

    /// The time budget in whole milliseconds (as reported in errors).
    var timeMilliseconds: Int {
        let (seconds, attoseconds) = timePerInvocation.components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? Int.max : Int(ms) + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// The time budget in nanoseconds, saturating.
    var timeNanoseconds: Int64 {
        let (seconds, attoseconds) = timePerInvocation.components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? 0 : Int64.max }
        let (total, overflow2) = ns.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? Int64.max : max(0, total)
    }
}
