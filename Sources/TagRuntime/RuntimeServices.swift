import Dedup
import Foundation
import LuaHost
import Logging
import UserDataHashing

/// The native services scripts reach through their modules, and the limits they run under.
public struct RuntimeServices: Sendable {
    public var delivery: any ConversionDelivery
    public var dedup: any DedupStoring
    /// What `env.get` may return: only the names the configuration allows, already looked up.
    public var environment: [String: String]
    public var normalizer: UserDataNormalizer
    /// Unix time in seconds; tests and `tagd test` pin it.
    public var now: @Sendable () -> Double
    public var logger: Logger
    public var limits: LuaLimits
    /// VMs in the pool; one per core by default, each running one hit at a time.
    public var vmCount: Int
    /// Shared by every generation of tags.
    public var metrics: TagMetrics
    /// Whether each `pinterest.send` is kept in its tag's `TagRun.conversions` (the event and its outcome), for
    /// `tagd run` and tag tests. The server reads no hit's conversions and turns it off: the event is then
    /// read into a reused document.
    public var recordsConversions = true

    public init(
        delivery: any ConversionDelivery,
        dedup: any DedupStoring = DedupStore(capacity: 100_000),
        environment: [String: String] = [:],
        normalizer: UserDataNormalizer = UserDataNormalizer(),
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        logger: Logger = Logger(label: "tagd.tags"),
        limits: LuaLimits = .default,
        vmCount: Int = ProcessInfo.processInfo.activeProcessorCount,
        metrics: TagMetrics = TagMetrics()
    ) {
        self.metrics = metrics
        self.delivery = delivery
        self.dedup = dedup
        self.environment = environment
        self.normalizer = normalizer
        self.now = now
        self.logger = logger
        self.limits = limits
        self.vmCount = max(1, vmCount)
    }
}
