import LuaHost

/// `text`: trimming and lower-casing without Lua patterns, which cost most of a mapping's time.
enum TextModule {
    static func make() -> NativeModule {
        NativeModule(name: "text", functions: [
            "trim": { args in
                [.string(try args.string(1).trimmingWhitespace())]
            },
            "lower": { args in
                [.string(try args.string(1).lowercased())]
            },
        ])
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? first
        return String(scalars[first...last])
    }
}
