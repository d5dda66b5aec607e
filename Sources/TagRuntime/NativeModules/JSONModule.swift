import LuaHost
import TagdJSON

/// `json.encode`, `json.decode` and `json.null` (an explicit null that survives a round trip).
enum JSONModule {
    static func make() -> NativeModule {
        NativeModule(
            name: "json",
            functions: [
                "decode": { (args: LuaArguments) throws -> [LuaValue] in
                    let text = try args.string(1)
                    do throws(JSONParseError) {
                        return [LuaValue(try JSONValue.parse(text))]
                    } catch {
                        return [.nil, .string(error.description)]
                    }
                },
            ],
            scalarFunctions: [
                "encode": { args in
                    LuaValue.string(try args.value(1, as: JSONValue.self).encodedString())
                },
            ],
            values: ["null": .null]
        )
    }
}
