import Foundation
import TagdJSON

/// Turns one raw `user_data` value into the exact string Pinterest expects to be hashed (RULES.md), or nil
/// when the value must be omitted (empty, or invalid for its field: never send sha256("")).
///
/// A value that is already a SHA-256 (64 hex digits after trimming) is returned lower-cased, unchanged
/// otherwise, so that `UserDataHasher` can pass it through.
public struct UserDataNormalizer: Sendable {
    /// How `external_id` is normalized. The browser tag must apply the same rule, or the two sides' hashes
    /// for one user will never match; hence configurable rather than fixed.
    public enum ExternalIDRule: Sendable, Equatable {
        /// Trim, then lower-case (the default, per RULES.md).
        case trimmedLowercased
        /// Trim only: for advertisers whose ids are case-sensitive.
        case trimmed
    }

    /// Today's date, for the birth-date rule "not in the future". Injected so tests are deterministic.
    public let today: @Sendable () -> (year: Int, month: Int, day: Int)
    public let externalIDRule: ExternalIDRule

    public init(
        today: @escaping @Sendable () -> (year: Int, month: Int, day: Int) = systemToday,
        externalID: ExternalIDRule = .trimmedLowercased
    ) {
        self.today = today
        self.externalIDRule = externalID
    }

    /// Today's civil date in UTC, from the system clock.
    @Sendable public static func systemToday() -> (year: Int, month: Int, day: Int) {
        let days = Int((Date().timeIntervalSince1970 / 86_400).rounded(.down))
        return CivilDate.fromDaysSinceEpoch(days)
    }

    /// The normalized string for `value`, or nil to omit it.
    public func normalize(_ field: UserDataField, _ value: String) -> String? {
        prepare(field, value)?.value
    }

    /// As `normalize(_:_: String)`, for a JSON value: strings as they are, integers and integral doubles in
    /// decimal (a numeric `zp` is left-padded, `2108` -> `02108`), other doubles by their shortest form
    /// (omitted for `ph`, `db` and `zp`, where a fraction is meaningless). Null, booleans, arrays and objects
    /// give nil.
    public func normalize(_ field: UserDataField, _ value: JSONValue) -> String? {
        prepare(field, value)?.value
    }

    /// A normalized value, telling a SHA-256 the caller supplied (pass it through) from a value to hash.
    enum Prepared: Equatable {
        case alreadyHashed(String)
        case plain(String)

        var value: String {
            switch self {
            case .alreadyHashed(let s), .plain(let s): return s
            }
        }
    }

    func prepare(_ field: UserDataField, _ value: JSONValue) -> Prepared? {
        switch value {
        case .string(let s):
            return prepare(field, s)
        case .int(let i):
            if field == .zp { return PostalCodeNormalizer.normalize(number: i).map(Prepared.plain) }
            return prepare(field, String(i))
        case .double(let d):
            guard d.isFinite else { return nil }
            if d == d.rounded(.towardZero), abs(d) < 1e15 { return prepare(field, .int(Int64(d))) }
            switch field {
            case .ph, .db, .zp: return nil
            default: return prepare(field, d.description)
            }
        case .null, .bool, .array, .object:
            return nil
        }
    }

    func prepare(_ field: UserDataField, _ raw: String) -> Prepared? {
        if SHA256Hex.isWireHash(raw) { return .alreadyHashed(raw) }  // e.g. hashed again before sending
        let trimmed = UnicodeText.trim(raw)
        if trimmed.isEmpty { return nil }
        if SHA256Hex.isHashed(trimmed) { return .alreadyHashed(trimmed.lowercased()) }
        let value = UnicodeText.nfc(trimmed)
        let normalized: String?
        switch field {
        case .em: normalized = EmailNormalizer.normalize(value)
        case .ph: normalized = PhoneNormalizer.normalize(value)
        case .ge: normalized = GenderNormalizer.normalize(value)
        case .db: normalized = DateOfBirthNormalizer.normalize(value, today: today())
        case .fn, .ln, .hashed_maids: normalized = UnicodeText.lower(value)
        case .ct: normalized = CityNormalizer.normalize(value)
        case .st: normalized = StateNormalizer.normalize(value)
        case .zp: normalized = PostalCodeNormalizer.normalize(value)
        case .country: normalized = CountryNormalizer.normalize(value)
        case .external_id: normalized = externalIDRule == .trimmed ? value : UnicodeText.lower(value)
        }
        guard let normalized, !normalized.isEmpty else { return nil }
        return .plain(normalized)
    }
}
