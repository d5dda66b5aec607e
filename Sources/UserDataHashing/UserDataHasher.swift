import TagdJSON

/// Normalizes and hashes a whole Pinterest `user_data` object, producing what goes on the wire.
///
/// Every hashed field becomes an array of 64-hex strings (a scalar becomes a one-element array; arrays are
/// handled element by element, never joined, and de-duplicated after normalization, first occurrence kept).
/// A value that is already a SHA-256 passes through lower-cased. Empty or invalid values are omitted, and so
/// is a field left with no values. `client_ip_address`, `client_user_agent`, `click_id` and `partner_id` are
/// sent as plain strings. Unknown keys and impossible types throw, because Pinterest rejects such events.
public struct UserDataHasher: Sendable {
    public let normalizer: UserDataNormalizer

    public init(normalizer: UserDataNormalizer = UserDataNormalizer()) {
        self.normalizer = normalizer
    }

    /// The hash to send for one value of `field`: SHA-256 of the normalized value, or the value itself if it
    /// already is a SHA-256 (lower-cased); nil when the value is omitted.
    public func hashedValue(_ field: UserDataField, _ value: String) -> String? {
        normalizer.prepare(field, value).map(Self.finish)
    }

    /// As `hashedValue(_:_: String)` for a JSON scalar (see `UserDataNormalizer.normalize(_:_: JSONValue)`).
    public func hashedValue(_ field: UserDataField, _ value: JSONValue) -> String? {
        normalizer.prepare(field, value).map(Self.finish)
    }

    private static func finish(_ prepared: UserDataNormalizer.Prepared) -> String {
        switch prepared {
        case .alreadyHashed(let hex): return hex
        case .plain(let value): return SHA256Hex.hash(value)
        }
    }

    /// The wire form of `userData`. Fields are visited in a fixed order, so the first error reported for a
    /// given input is always the same.
    public func hash(_ userData: [String: JSONValue]) throws(UserDataError) -> [String: JSONValue] {
        if Self.isWireForm(userData) { return userData }
        var unknown: String? = nil
        for key in userData.keys where UserDataField(rawValue: key) == nil && !UserDataField.neverHashed.contains(key) {
            if unknown == nil || key < unknown! { unknown = key }
        }
        if let unknown { throw .unknownField(unknown) }

        var out: [String: JSONValue] = [:]
        out.reserveCapacity(userData.count)
        for field in UserDataField.allCases {
            guard let value = userData[field.rawValue] else { continue }
            let hashes = try hashes(field, value)
            if !hashes.isEmpty { out[field.rawValue] = .array(hashes.map(JSONValue.string)) }
        }
        for key in Self.plainKeys {
            guard let value = userData[key] else { continue }
            if let plain = try Self.plain(key, value) { out[key] = .string(plain) }
        }
        return out
    }

    /// True when hashing `userData` would return it unchanged: every hashed field is a non-empty array of
    /// distinct lower-case SHA-256 hex strings and every plain field a trimmed non-empty string. This is what
    /// `hash` itself produces, so the second pass before sending (`pinterest.send`) costs a scan, not a rebuild.
    static func isWireForm(_ userData: [String: JSONValue]) -> Bool {
        for (key, value) in userData {
            if UserDataField(rawValue: key) != nil {
                guard case .array(let elements) = value, !elements.isEmpty else { return false }
                for (i, element) in elements.enumerated() {
                    guard case .string(let hash) = element, SHA256Hex.isWireHash(hash) else { return false }
                    for j in 0..<i where elements[j] == element { return false }
                }
            } else if UserDataField.neverHashed.contains(key) {
                guard case .string(let text) = value, !text.isEmpty, UnicodeText.trim(text).utf8.count == text.utf8.count
                else { return false }
            } else {
                return false
            }
        }
        return true
    }

    /// `UserDataField.neverHashed` in a fixed order.
    private static let plainKeys = UserDataField.neverHashed.sorted()

    private func hashes(_ field: UserDataField, _ value: JSONValue) throws(UserDataError) -> [String] {
        switch value {
        case .null:
            return []
        case .string, .int, .double:
            return hashedValue(field, value).map { [$0] } ?? []
        case .array(let elements):
            var hashes: [String] = []
            hashes.reserveCapacity(elements.count)
            for element in elements {
                switch element {
                case .null:
                    continue
                case .string, .int, .double:
                    // Linear de-duplication: these arrays hold a handful of values at most.
                    if let hash = hashedValue(field, element), !hashes.contains(hash) { hashes.append(hash) }
                case .bool, .array, .object:
                    throw .wrongType(field: field.rawValue, type: element.typeName)
                }
            }
            return hashes
        case .bool, .object:
            throw .wrongType(field: field.rawValue, type: value.typeName)
        }
    }

    /// A never-hashed value as a plain string: trimmed, numbers in decimal, empty dropped.
    private static func plain(_ key: String, _ value: JSONValue) throws(UserDataError) -> String? {
        let text: String
        switch value {
        case .null: return nil
        case .string(let s): text = UnicodeText.trim(s)
        case .int(let i): text = String(i)
        case .double(let d):
            guard d.isFinite else { return nil }
            text = d == d.rounded(.towardZero) && abs(d) < 1e15 ? String(Int64(d)) : d.description
        case .bool, .array, .object:
            throw .wrongType(field: key, type: value.typeName)
        }
        return text.isEmpty ? nil : text
    }
}
