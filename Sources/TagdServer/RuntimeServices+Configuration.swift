import Foundation
import LuaHost
import Logging
import TagRuntime

extension RuntimeServices {
    /// Services for tags as the configuration sets them: allowed environment values, Lua budgets, VM count.
    public static func make(
        configuration: TagdConfiguration,
        delivery: any ConversionDelivery,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> RuntimeServices {
        var limits = LuaLimits.default
        limits.instructionsPerInvocation = configuration.luaInstructionLimit
        limits.timePerInvocation = .milliseconds(configuration.luaTimeLimitMilliseconds)
        limits.memoryPerVM = configuration.luaMemoryLimitBytes
        let allowed = configuration.tagEnvironment.compactMap { name in environment[name].map { (name, $0) } }
        var services = RuntimeServices(
            delivery: delivery,
            environment: Dictionary(allowed, uniquingKeysWith: { first, _ in first }),
            logger: logger,
            limits: limits,
            vmCount: configuration.luaVMs > 0 ? configuration.luaVMs : ProcessInfo.processInfo.activeProcessorCount)
        services.recordsConversions = false  // a hit's result is its status code and cookies
        return services
    }
}
