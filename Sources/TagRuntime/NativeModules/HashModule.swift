import LuaHost
import TagdJSON
import UserDataHashing

/// `hash`: SHA-256 and Pinterest's normalization rules, done natively because they must be fast and exact.
enum HashModule {
    static func make(services: RuntimeServices, scratch: FlatScratch = FlatScratch()) -> NativeModule {
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
                // Read flat (into the VM's reused document), hashed into two arrays, written straight into Lua:
                // no tree either way.
                let wire = try scratch.withDocument { (table) throws(LuaArgumentError) in
                    try FlatJSONReader.read(args, 1, into: &table)
                    return table.withRoot { root -> Result<WireUserData, any Error> in
                        guard root.kind == .object else {
                            return .failure(NativeFunctionError(
                                "bad argument #1 to 'user_data' (table expected, got \(root.kind.name))"))
                        }
                        // Built even when the input already is the wire form: the result is a new table.
                        return Result { try hasher.wireForm(of: root, unlessAlready: false) ?? WireUserData() }
                    }
                }
                return try wire?.get() ?? WireUserData()
            },
        ])
    }
}

/// An error a native function reports to the calling script.
struct NativeFunctionError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
