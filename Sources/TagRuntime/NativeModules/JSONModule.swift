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
                // Read flat (as pinterest.send reads its event), not as a JSONValue tree: one node array, no
                // allocation per value; `FlatJSON.encoded()` writes what `JSONValue.encoded()` writes.
                "encode": { args in
                    LuaValue.string(String(decoding: try FlatJSONReader.read(args, 1).encoded(), as: UTF8.self))
                },
            ],
            values: ["null": .null]
        )
    }
}
