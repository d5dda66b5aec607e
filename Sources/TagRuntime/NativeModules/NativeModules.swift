import LuaHost

/// The modules every tag and template sees as globals. Each is documented in the README's module reference.
enum NativeModules {
    static func all(scope: InvocationScope, services: RuntimeServices) -> [NativeModule] {
        let scratch = FlatScratch()  // one per VM, like the scope
        return [
            HashModule.make(services: services, scratch: scratch),
            TextModule.make(),
            DedupModule.make(scope: scope, services: services),
            PinterestModule.make(scope: scope, services: services, scratch: scratch),
            LogModule.make(scope: scope, services: services),
            JSONModule.make(),
            TimeModule.make(services: services),
            EnvModule.make(services: services),
            ResponseModule.make(scope: scope),
        ]
    }
}
