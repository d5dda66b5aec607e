/// The Pinterest `user_data` keys that are normalized and SHA-256 hashed.
///
/// Raw values are the wire names; `UserDataKey(_:)` classifies an incoming key faster than `init(rawValue:)`.
public enum UserDataField: String, CaseIterable, Sendable {
    case em, ph, ge, db, fn, ln, ct, st, zp, country, external_id, hashed_maids

    /// Keys Pinterest accepts in `user_data` that are never hashed: they are sent as plain strings.
    public static let neverHashed = Set(UserDataKey.plainKeys)
}

extension UserDataField {
    /// `rawValue` as static UTF-8 (`UserDataKey.wireName`).
    var wireName: StaticString {
        switch self {
        case .em: "em"
        case .ph: "ph"
        case .ge: "ge"
        case .db: "db"
        case .fn: "fn"
        case .ln: "ln"
        case .ct: "ct"
        case .st: "st"
        case .zp: "zp"
        case .country: "country"
        case .external_id: "external_id"
        case .hashed_maids: "hashed_maids"
        }
    }

    /// The field's place in `allCases`: the order `UserDataHasher` visits fields in.
    var order: Int {
        switch self {
        case .em: 0
        case .ph: 1
        case .ge: 2
        case .db: 3
        case .fn: 4
        case .ln: 5
        case .ct: 6
        case .st: 7
        case .zp: 8
        case .country: 9
        case .external_id: 10
        case .hashed_maids: 11
        }
    }
}
