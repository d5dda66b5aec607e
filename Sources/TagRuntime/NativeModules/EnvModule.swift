import LuaHost

/// `env.get(name)`: secrets and settings, limited to the names the configuration allows.
enum EnvModule {
    static func make(services: RuntimeServices) -> NativeModule {
        let environment = services.environment
        return NativeModule(name: "env", scalarFunctions: [
            "get": { args in
                environment[try args.string(1)].map(LuaValue.string) ?? LuaValue.nil
            }
        ])
    }
}
