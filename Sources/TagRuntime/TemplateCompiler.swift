import LuaHost

/// Checks that a template compiles and runs to a module, in a scratch VM with the same native modules
/// and templates a tag would see.
enum TemplateCompiler {
    static func error(in template: TagFile, templates: [String: TagFile], services: RuntimeServices) -> String? {
        do {
            let vm = try LuaVM(
                limits: services.limits,
                modules: NativeModules.all(scope: InvocationScope(), services: services),
                moduleSource: { name in templates[name].map { ($0.source, $0.path) } })
            _ = try vm.load(source: template.source, chunkName: template.path)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
