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
    ///
    /// One pass over the keys classifies them and notes whether the input already is the wire form (every
    /// hashed field a non-empty array of distinct lower-case SHA-256 hex strings, every plain field a trimmed
    /// non-empty string), which is what this function produces: `pinterest.send`'s second look at an event
    /// hashed by the tag then costs a scan, not a rebuild.
    public func hash(_ userData: [String: JSONValue]) throws(UserDataError) -> [String: JSONValue] {
        // Where each key is, by position: the hashed fields in `fields` order, then the plain keys. Indices,
        // not values, so the scan of an event already in wire form retains nothing.
        var slots = InlineArray<16, Dictionary<String, JSONValue>.Index?>(repeating: nil)
        var unknown: String? = nil
        var isWireForm = true
        var index = userData.startIndex
        while index != userData.endIndex {
            let (key, value) = userData[index]
            switch UserDataKey(key) {
            case .hashed(let field)?:
                slots[field.order] = index
                if isWireForm { isWireForm = Self.isWireHashes(value) }
            case .plain(let order)?:
                slots[Self.fields.count + order] = index
                if isWireForm { isWireForm = Self.isWirePlain(value) }
            case nil:
                if unknown.map({ key < $0 }) ?? true { unknown = key }
            }
            userData.formIndex(after: &index)
        }
        if let unknown { throw .unknownField(unknown) }
        if isWireForm { return userData }

        var out: [String: JSONValue] = [:]
        out.reserveCapacity(userData.count)
        for field in Self.fields {
            guard let index = slots[field.order] else { continue }
            let hashes = try hashes(field, userData.values[index])
            if !hashes.isEmpty { out[field.rawValue] = .array(hashes) }
        }
        for (order, key) in UserDataKey.plainKeys.enumerated() {
            guard let index = slots[Self.fields.count + order] else { continue }
            if let plain = try Self.plain(key, userData.values[index]) { out[key] = .string(plain) }
        }
        return out
    }

    /// `UserDataField.allCases`, made once (the synthesized getter builds a new array per call).
    private static let fields = UserDataField.allCases

    /// A hashed field as `hash` writes it: a non-empty array of distinct wire hashes.
    private static func isWireHashes(_ value: JSONValue) -> Bool {
        guard case .array(let elements) = value, !elements.isEmpty else { return false }
        for (i, element) in elements.enumerated() {
            guard case .string(let hash) = element, SHA256Hex.isWireHash(hash) else { return false }
            for j in 0..<i where elements[j] == element { return false }
        }
        return true
    }

    /// A plain field as `hash` writes it: a trimmed non-empty string.
    private static func isWirePlain(_ value: JSONValue) -> Bool {
        guard case .string(let text) = value, !text.isEmpty else { return false }
        return UnicodeText.trim(text).utf8.count == text.utf8.count
    }

    private func hashes(_ field: UserDataField, _ value: JSONValue) throws(UserDataError) -> [JSONValue] {
        switch value {
        case .null:
            return []
        case .string, .int, .double:
            return hashedValue(field, value).map { [.string($0)] } ?? []
        case .array(let elements):
            var hashes: [JSONValue] = []
            hashes.reserveCapacity(elements.count)
            for element in elements {
                switch element {
                case .null:
                    continue
                case .string, .int, .double:
                    // Linear de-duplication: these arrays hold a handful of values at most.
                    if let hash = hashedValue(field, element).map(JSONValue.string), !hashes.contains(hash) {
                        hashes.append(hash)
                    }
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
