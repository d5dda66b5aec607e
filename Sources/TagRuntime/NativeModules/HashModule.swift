import LuaHost
import TagdJSON
import UserDataHashing

/// `hash`: SHA-256 and Pinterest's normalization rules, done natively because they must be fast and exact.
enum HashModule {
    static func make(services: RuntimeServices) -> NativeModule {
        let normalizer = services.normalizer
        let hasher = UserDataHasher(normalizer: normalizer)
        return NativeModule(name: "hash", scalarFunctions: [
            "sha256": { args in
                LuaValue.string(SHA256Hex.hash(try args.string(1)))
            },
            "is_hashed": { args in
                LuaValue.bool(SHA256Hex.isHashed(try args.string(1)))
            },
            "normalize": { args in
                let name = try args.string(1)
                guard let field = UserDataField(rawValue: name) else {
                    throw NativeFunctionError("unknown user data field '\(name)'")
                }
                let value = try args.value(2, as: JSONValue.self)
                return normalizer.normalize(field, value).map(LuaValue.string) ?? LuaValue.nil
            },
            "user_data": { args in
                let table = try args.value(1, as: JSONValue.self)
                guard case .object(let fields) = table else {
                    throw NativeFunctionError("bad argument #1 to 'user_data' (table expected, got \(table.typeName))")
                }
                // Written straight into Lua from the hasher's JSON: no `LuaValue` copy.
                return JSONValue.object(try hasher.hash(fields))
            },
        ])
    }
}

/// An error a native function reports to the calling script.
struct NativeFunctionError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
