/// A Lua value as the host sees it: plain data, copied out of (or into) a VM.
///
/// Reading never runs Lua code (raw access only), so a value is a snapshot.
/// A non-empty Lua sequence `1..n` with no other keys reads as `.array`;
/// every other table (including an empty one) reads as `.table` with string
/// keys (integer and float keys become their decimal text).
public enum LuaValue: Sendable, Hashable {
    case `nil`
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// A Lua string that is not valid UTF-8.
    case bytes([UInt8])
    case array([LuaValue])
    case table([String: LuaValue])
    /// Explicit JSON null: a unique light userdata sentinel (expose it to
    /// scripts with a module value, e.g. `json.null`).
    case null
    /// Opaque marker for a Lua function met while reading; cannot be sent back.
    case function
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: LuaValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        self = .table(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension LuaValue {
    /// The string payload, if this is a (UTF-8) string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer payload, if this is an integer.
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// Field lookup for `.table` values (nil otherwise).
    public subscript(key: String) -> LuaValue? {
        if case .table(let t) = self { return t[key] }
        return nil
    }
}
