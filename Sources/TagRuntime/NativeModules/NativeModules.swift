import LuaHost

/// The modules every tag and template sees as globals. Each is documented in the README's module reference.
enum NativeModules {
    static func all(scope: InvocationScope, services: RuntimeServices) -> [NativeModule] {
        [
            HashModule.make(services: services),
            TextModule.make(),
            DedupModule.make(scope: scope, services: services),
            PinterestModule.make(scope: scope, services: services),
            LogModule.make(scope: scope, services: services),
            JSONModule.make(),
            TimeModule.make(services: services),
            EnvModule.make(services: services),
            ResponseModule.make(scope: scope),
        ]
    }
}
