import CLua
import CLuaShim

/// Reads Lua values off the stack into `LuaValue`s.
///
/// Proven non-raising: it uses only API calls that cannot raise
/// (lua_type, lua_rawlen, lua_rawgeti, lua_next over an unmodified table,
/// lua_toboolean, lua_isinteger, lua_tointegerx, lua_tonumberx, lua_touserdata,
/// lua_topointer, lua_checkstack, and lua_tolstring on values that already are
/// strings, which never converts or allocates). No metamethod ever runs:
/// `__index`, `__pairs` and `__len` of a result are ignored. Callers restore
/// the stack top themselves (errors may leave iteration keys behind).
struct StackReader {
    let L: OpaquePointer
    let maxDepth: Int
    /// Tables on the current path, for cycle detection. Shared (non-cyclic)
    /// subtables are fine and simply read twice.
    private var path: [UnsafeRawPointer] = []

    init(L: OpaquePointer, maxDepth: Int) {
        self.L = L
        self.maxDepth = maxDepth
        path.reserveCapacity(8)
    }

    mutating func read(_ index: Int32, depth: Int = 0) throws(LuaError) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE:
            return .nil
        case LUA_TBOOLEAN:
            return .bool(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .int(Int64(lua_tointegerx(L, index, nil))) }
            return .double(Double(lua_tonumberx(L, index, nil)))
        case LUA_TSTRING:
            return readString(index)
        case LUA_TTABLE:
            return try readTable(index, depth: depth + 1)
        case LUA_TFUNCTION:
            return .function
        case LUA_TLIGHTUSERDATA where lua_touserdata(L, index) == tagd_null_sentinel():
            return .null
        case let type:
            throw .conversion("cannot convert a \(Self.typeName(L, type)) value")
        }
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

    private mutating func readTable(_ index: Int32, depth: Int) throws(LuaError) -> LuaValue {
        let t = lua_absindex(L, index)
        guard depth <= maxDepth else { throw .conversion("table nesting deeper than \(maxDepth)") }
        guard let pointer = lua_topointer(L, t) else { throw .conversion("unreadable table") }
        if path.contains(pointer) { throw .conversion("cycle detected in table") }
        guard lua_checkstack(L, 4) != 0 else { throw .conversion("Lua stack exhausted") }
        path.append(pointer)
        defer { path.removeLast() }

        let length = Int(lua_rawlen(L, t))
        if length > 0, isSequence(t, length: length) {
            var items: [LuaValue] = []
            items.reserveCapacity(length)
            for i in 1...length {
                lua_rawgeti(L, t, lua_Integer(i))
                let item = try read(-1, depth: depth)
                lua_settop(L, -2)
                items.append(item)
            }
            return .array(items)
        }

        var fields = [String: LuaValue](minimumCapacity: entryCount(t))
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            let key = try readKey(-2)
            let item = try read(-1, depth: depth)
            lua_settop(L, -2)  // pop the value, keep the key for lua_next
            if fields.updateValue(item, forKey: key) != nil {
                throw .conversion("duplicate key '\(key)' after conversion to string")
            }
        }
        return .table(fields)
    }

    /// Number of entries (one raw traversal; avoids dictionary regrowth).
    private func entryCount(_ t: Int32) -> Int {
        var count = 0
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            count += 1
            lua_settop(L, -2)
        }
        return count
    }

    /// True when the table has exactly the keys 1...length (raw count).
    private func isSequence(_ t: Int32, length: Int) -> Bool {
        var count = 0
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            count += 1
            guard count <= length, lua_isinteger(L, -2) != 0 else {
                lua_settop(L, -3)  // pop value and key: iteration abandoned
                return false
            }
            let k = lua_tointegerx(L, -2, nil)
            lua_settop(L, -2)
            if k < 1 || k > length {
                lua_settop(L, -2)
                return false
            }
        }
        return count == length
    }

    private func readKey(_ index: Int32) throws(LuaError) -> String {
        switch lua_type(L, index) {
        case LUA_TSTRING:
            switch readString(index) {
            case .string(let s): return s
            default: throw .conversion("table key is not valid UTF-8")
            }
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return String(lua_tointegerx(L, index, nil)) }
            return formatFloat(Double(lua_tonumberx(L, index, nil)))
        case let type:
            throw .conversion("unsupported table key type \(Self.typeName(L, type))")
        }
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
