import LuaHost
import UserDataHashing

/// `text`: trimming and lower-casing without Lua patterns (which cost most of a mapping's time), by the
/// same Unicode rules the hashing uses.
enum TextModule {
    static func make() -> NativeModule {
        NativeModule(name: "text", scalarFunctions: [
            "trim": { args in LuaValue.string(UnicodeText.trim(try args.string(1))) },
            "lower": { args in LuaValue.string(UnicodeText.lower(try args.string(1))) },
        ])
    }
}
