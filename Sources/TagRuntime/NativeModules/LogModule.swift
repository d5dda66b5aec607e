import LuaHost
import Logging

/// `log.debug/info/warn/error(message)`: goes to the server log with the tag's name attached, and to
/// the hit's result so `tagd run` can show it.
enum LogModule {
    static func make(scope: InvocationScope, services: RuntimeServices) -> NativeModule {
        let logger = services.logger
        func function(_ level: Logger.Level, _ name: String) -> NativeFunction {
            { args in
                let message = try args.string(1)
                scope.log(TagLogLine(level: name, message: message))
                logger.log(level: level, "\(message)", metadata: ["tag": "\(scope.tag)"])
                return []
            }
        }
        return NativeModule(name: "log", functions: [
            "debug": function(.debug, "debug"),
            "info": function(.info, "info"),
            "warn": function(.warning, "warn"),
            "error": function(.error, "error"),
        ])
    }
}
