import LuaHost

/// `time.now()` (unix seconds) and `time.now_ms()`, from the runtime's clock so tests can pin it.
enum TimeModule {
    static func make(services: RuntimeServices) -> NativeModule {
        let now = services.now
        return NativeModule(name: "time", scalarFunctions: [
            "now": { _ in LuaValue.int(Int64(now().rounded(.down))) },
            "now_ms": { _ in LuaValue.int(Int64((now() * 1000).rounded(.down))) },
        ])
    }
}
