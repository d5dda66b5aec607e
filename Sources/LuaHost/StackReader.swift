import CLua
import CLuaShim

/// Reads single Lua values off the stack with non-raising API calls only
/// (lua_type, lua_tolstring on values that already are strings, which never
/// converts or allocates). Tables are converted in C instead (see
/// `ResultTapeReader` and tagd_results.c), in one pass into a result tape.
struct StackReader {
    let L: OpaquePointer
    let maxDepth: Int

    init(L: OpaquePointer, maxDepth: Int) {
        self.L = L
        self.maxDepth = maxDepth
    }

    static func typeName(_ L: OpaquePointer, _ type: Int32) -> String {
        guard let name = lua_typename(L, type) else { return "unknown" }
        return String(cString: name)
    }

    /// A string value: `.string` when valid UTF-8, `.bytes` otherwise.
    func readString(_ index: Int32) -> LuaValue {
        var length = 0
        guard let chars = lua_tolstring(L, index, &length) else { return .nil }
        let buffer = UnsafeBufferPointer(
            start: UnsafeRawPointer(chars).assumingMemoryBound(to: UInt8.self), count: length)
        // Validate in C (cheap, ASCII fast path); decoding then never repairs.
        guard tagd_utf8_valid(buffer.baseAddress, length) != 0 else { return .bytes(Array(buffer)) }
        return .string(String(decoding: buffer, as: UTF8.self))
    }
}

/// Formats a float exactly like Lua's tostring ("%.14g", "1.0" for integral).
func formatFloat(_ value: Double) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { buffer -> String in
        guard let base = buffer.baseAddress else { return "\(value)" }
        let n = tagd_format_number(value, base, 48)
        return String(decoding: UnsafeRawBufferPointer(start: base, count: n), as: UTF8.self)
    }
}
