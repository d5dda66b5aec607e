import Dedup
import LuaHost

/// `dedup.first_seen(key, ttl_seconds)`: an atomic set-if-absent, namespaced per tag so tags never collide.
enum DedupModule {
    static func make(scope: InvocationScope, services: RuntimeServices) -> NativeModule {
        let store = services.dedup
        return NativeModule(name: "dedup", scalarFunctions: [
            "first_seen": { args in
                let key = try args.string(1)
                let ttl = try args.number(2)
                guard ttl > 0, ttl <= 365 * 86_400 else {
                    throw NativeFunctionError("bad argument #2 to 'first_seen' (ttl must be 1 second to 1 year)")
                }
                let namespaced = scope.tag + "\u{1F}" + key
                return LuaValue.bool(store.insertIfAbsent(namespaced, ttl: .milliseconds(Int64(ttl * 1000))))
            }
        ])
    }
}
