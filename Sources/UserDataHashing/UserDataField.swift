/// The Pinterest `user_data` keys that are normalized and SHA-256 hashed.
///
/// Raw values are the wire names, so `UserDataField(rawValue: key)` classifies an incoming key.
public enum UserDataField: String, CaseIterable, Sendable {
    case em, ph, ge, db, fn, ln, ct, st, zp, country, external_id, hashed_maids

    /// Keys Pinterest accepts in `user_data` that are never hashed: they are sent as plain strings.
    public static let neverHashed: Set<String> = ["client_ip_address", "client_user_agent", "click_id", "partner_id"]
}
