import CLua
import CLuaShim

/// The arguments of one native-function call, read straight off the Lua
/// stack without raising. Valid only during the call it was given to.
///
/// The helpers throw `LuaArgumentError` with Lua's own wording, e.g.
/// `bad argument #2 to 'sha256' (string expected, got nil)`; the trampoline
/// raises it (with the caller's `chunk:line:` prefix) after Swift returns.
public struct LuaArguments {
    let L: OpaquePointer
    let maxDepth: Int
    /// Number of arguments passed.
    public let count: Int
    /// The function's name, as used in error messages.
    public let functionName: String

    /// The VM's cache, which outlives the call these arguments are valid for: unowned, so making the
    /// arguments of each native call retains and releases nothing for it.
    unowned(unsafe) let keyCache: ResultKeyCache

    init(L: OpaquePointer, count: Int, functionName: String, maxDepth: Int, keyCache: ResultKeyCache) {
        self.L = L
        self.count = count
        self.functionName = functionName
        self.maxDepth = maxDepth
        self.keyCache = keyCache
    }

    /// Lua type of argument `i` (1-based); `.nil` when absent.
    public func type(_ i: Int) -> LuaType {
        switch rawType(i) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean
        case LUA_TNUMBER: return .number
        case LUA_TSTRING: return .string
        case LUA_TTABLE: return .table
        case LUA_TFUNCTION: return .function
        default: return .other
        }
    }

    /// A string argument (numbers are converted, as luaL_checkstring does).
    /// Invalid UTF-8 is repaired; use `bytes(_:)` for exact bytes.
    public func string(_ i: Int) throws(LuaArgumentError) -> String {
        switch rawType(i) {
        case LUA_TSTRING:
            switch reader.readString(Int32(i)) {
            case .string(let s): return s
            case .bytes(let b): return String(decoding: b, as: UTF8.self)
            default: break
            }
        case LUA_TNUMBER:
            return numberText(i)
        default: break
        }
        throw typeError(i, expected: "string")
    }

    public func optionalString(_ i: Int) throws(LuaArgumentError) -> String? {
        isAbsent(i) ? nil : try string(i)
    }

    /// A string argument's exact bytes.
    public func bytes(_ i: Int) throws(LuaArgumentError) -> [UInt8] {
        switch rawType(i) {
        case LUA_TSTRING:
            var length = 0
            guard let chars = lua_tolstring(L, Int32(i), &length) else { break }
            return Array(UnsafeRawBufferPointer(start: chars, count: length))
        case LUA_TNUMBER:
            return Array(numberText(i).utf8)
        default: break
        }
        throw typeError(i, expected: "string")
    }

    /// Calls `body` with a view of a string argument's exact bytes (numbers
    /// are converted, as in `bytes(_:)`), without copying them into an
    /// array. The view is valid only inside `body`: do not let it escape.
    public func withBytes<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        switch rawType(i) {
        case LUA_TSTRING:
            var length = 0
            // Non-raising: the value already is a string (no conversion).
            guard let chars = lua_tolstring(L, Int32(i), &length) else { break }
            return try body(UnsafeRawBufferPointer(start: chars, count: length))
        case LUA_TNUMBER:
            var text = numberText(i)
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        default: break
        }
        throw typeError(i, expected: "string")
    }

    /// An integer argument (integral floats and numeric strings accepted, as
    /// luaL_checkinteger does).
    public func int(_ i: Int) throws(LuaArgumentError) -> Int64 {
        var isNumber: Int32 = 0
        let value = lua_tointegerx(L, Int32(i), &isNumber)
        if isNumber != 0 { return Int64(value) }
        if rawType(i) == LUA_TNUMBER {
            throw argumentError(i, "number has no integer representation")
        }
        throw typeError(i, expected: "number")
    }

    public func optionalInt(_ i: Int) throws(LuaArgumentError) -> Int64? {
        isAbsent(i) ? nil : try int(i)
    }

    /// A number argument (numeric strings accepted, as luaL_checknumber does).
    public func number(_ i: Int) throws(LuaArgumentError) -> Double {
        var isNumber: Int32 = 0
        let value = lua_tonumberx(L, Int32(i), &isNumber)
        if isNumber != 0 { return Double(value) }
        throw typeError(i, expected: "number")
    }

    public func optionalNumber(_ i: Int) throws(LuaArgumentError) -> Double? {
        isAbsent(i) ? nil : try number(i)
    }

    /// A boolean argument (strict: only true/false).
    public func bool(_ i: Int) throws(LuaArgumentError) -> Bool {
        guard rawType(i) == LUA_TBOOLEAN else { throw typeError(i, expected: "boolean") }
        return lua_toboolean(L, Int32(i)) != 0
    }

    public func optionalBool(_ i: Int) throws(LuaArgumentError) -> Bool? {
        isAbsent(i) ? nil : try bool(i)
    }

    /// Any argument as a value (`.nil` when absent); tables are read raw.
    public func value(_ i: Int) throws(LuaArgumentError) -> LuaValue {
        try value(i, as: LuaValue.self)
    }

    /// Any argument built directly as `Value` (`Value.luaNil` when absent), with no `LuaValue` tree
    /// in between; tables are read raw.
    public func value<Value: LuaTapeDecodable>(_ i: Int, as _: Value.Type) throws(LuaArgumentError) -> Value {
        if i < 1 || i > count { return .luaNil }
        return try readTape(i) { (reader) throws(LuaError) in try reader.value(as: Value.self) }
    }

    /// Hands argument `i` to `visitor` (`visitNil` when absent), with no tree built at all; tables are read
    /// raw. An error the visitor throws is reported as this argument's, like a conversion error.
    public func visit<Visitor: LuaTapeVisitor>(_ i: Int, into visitor: inout Visitor) throws(LuaArgumentError) {
        if i < 1 || i > count {
            do throws(LuaError) { try visitor.visitNil() } catch { throw argumentError(i, conversionMessage(error)) }
            return
        }
        try readTape(i) { (reader) throws(LuaError) in try reader.visit(into: &visitor) }
    }

    /// Argument `i` written flat in C and handed to `body`; nil when it is absent or holds something only
    /// `visit(_:into:)` converts or reports (a string that is not UTF-8, a key that is not an ASCII string,
    /// a function, a cycle, nesting beyond the limit): call that then. Tables are read raw, as by `visit`.
    /// With `nullAsNil`, `json.null` comes as `.nil` too, for a reader to whom both are JSON's null: the kinds are
    /// then those of TagdJSON's `JSONKind`, in the same order.
    public func withFlat<R>(_ i: Int, nullAsNil: Bool = false, _ body: (LuaFlatValue) -> R) -> R? {
        if i < 1 || i > count { return nil }
        var flat = tagd_flat()
        let status = tagd_read_flat(L, Int32(i), Int32(clamping: maxDepth), nullAsNil ? 1 : 0, &flat)
        // Declined or not, large buffers go back: they count against the VM's memory cap.
        defer { tagd_flat_done(tagd_vm_of(L)) }
        guard status == TAGD_OK else { return nil }
        return body(LuaFlatValue(flat))
    }

    /// Converts argument `i` in C (non-raising) into the VM's result tape, then lets `body` decode it.
    private func readTape<R>(
        _ i: Int, _ body: (inout ResultTapeReader) throws(LuaError) -> R
    ) throws(LuaArgumentError) -> R {
        var out = tagd_bytes()
        let vm = tagd_vm_of(L)
        let status = tagd_read_stack(L, Int32(i), 1, Int32(clamping: maxDepth), &out)
        switch Int(status) {
        case TAGD_OK:
            do {
                var reader = ResultTapeReader(out, cache: keyCache)
                let value = try body(&reader)
                tagd_results_done(vm, 1)
                return value
            } catch {
                tagd_results_done(vm, 0)
                throw argumentError(i, conversionMessage(error))
            }
        case TAGD_ERR_CONVERSION:
            throw argumentError(i, String(cString: tagd_vm_conversion_message(vm)))
        default:
            throw argumentError(i, "not enough memory")
        }
    }

    /// A table argument, read raw as `.table` or `.array`.
    public func table(_ i: Int) throws(LuaArgumentError) -> LuaValue {
        guard rawType(i) == LUA_TTABLE else { throw typeError(i, expected: "table") }
        return try value(i)
    }

    // MARK: - Helpers

    private var reader: StackReader { StackReader(L: L, maxDepth: maxDepth) }

    private func rawType(_ i: Int) -> Int32 {
        (i < 1 || i > count) ? LUA_TNONE : lua_type(L, Int32(i))
    }

    private func isAbsent(_ i: Int) -> Bool {
        let t = rawType(i)
        return t == LUA_TNONE || t == LUA_TNIL
    }

    private func numberText(_ i: Int) -> String {
        if lua_isinteger(L, Int32(i)) != 0 { return String(lua_tointegerx(L, Int32(i), nil)) }
        return formatFloat(Double(lua_tonumberx(L, Int32(i), nil)))
    }

    func conversionMessage(_ error: LuaError) -> String {
        if case .conversion(let message) = error { return message }
        return error.description
    }

    /// Lua's luaL_typeerror wording.
    public func typeError(_ i: Int, expected: String) -> LuaArgumentError {
        let got: String
        switch rawType(i) {
        case LUA_TNONE: got = "no value"
        case LUA_TLIGHTUSERDATA: got = "light userdata"
        case let t: got = StackReader.typeName(L, t)
        }
        return argumentError(i, "\(expected) expected, got \(got)")
    }

    /// Lua's luaL_argerror wording.
    public func argumentError(_ i: Int, _ message: String) -> LuaArgumentError {
        LuaArgumentError(message: "bad argument #\(i) to '\(functionName)' (\(message))")
    }
}

/// An argument error; raised in Lua with the caller's position prefix.
public struct LuaArgumentError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
