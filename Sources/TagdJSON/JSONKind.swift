/// The kind of a JSON value, shared by `JSONValue` and `FlatJSON` so both name types the same way in
/// messages ("expected string, got integer").
public enum JSONKind: UInt8, Sendable {
    case null, bool, int, double, string, array, object

    /// The JSON type name used in error messages ("string", "object", ...).
    public var name: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
