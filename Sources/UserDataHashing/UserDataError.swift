/// Why a `user_data` object cannot be sent: Pinterest rejects the whole event for these, so the caller must
/// see them rather than have the value silently dropped.
public enum UserDataError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A key that is neither a hashed field nor one of `UserDataField.neverHashed`.
    case unknownField(String)
    /// A value of a JSON type the field cannot take (an object, a boolean, a nested array, ...).
    /// `type` is the JSON type name, e.g. "object".
    case wrongType(field: String, type: String)

    public var description: String {
        switch self {
        case .unknownField(let key):
            return "user_data: unknown field \"\(key)\""
        case .wrongType(let field, let type):
            return "user_data: field \"\(field)\" cannot be a\(type.first.map { "aeiou".contains($0) } == true ? "n" : "") \(type)"
        }
    }
}
