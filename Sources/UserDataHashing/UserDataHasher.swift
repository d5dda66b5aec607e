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
        guard let wire = try wireForm(of: JSONValue.object(userData), unlessAlready: true) else { return userData }
        return wire.dictionary
    }

    /// The wire form of `userData` (of either JSON form); nil when `unlessAlready` and the input already is
    /// the wire form (which the same call would produce).
    public func wireForm<UserData: JSONReadable>(
        of userData: UserData, unlessAlready: Bool
    ) throws(UserDataError) -> WireUserData? {
        var slots = InlineArray<16, UserData?>(repeating: nil)
        if try Self.scan(userData, into: &slots), unlessAlready { return nil }
        var wire = WireUserData(capacity: userData.itemCount)
        try write(slots, to: &wire)
        return wire
    }

    /// `event` with its `user_data` in wire form, as `wireForm` makes it but written straight into the new
    /// document (no `WireUserData` to fill and copy, no document of its own to splice in): what `pinterest.send`
    /// sends. Nil when `event` has no `user_data` object or it already is the wire form.
    public func replacingUserData(in event: FlatJSON) throws(UserDataError) -> FlatJSON? {
        var result = FlatJSON()
        return try replacingUserData(in: event, into: &result) ? result : nil
    }

    /// As `replacingUserData(in:)`, into `result` (emptied first, its buffers kept: see
    /// `FlatJSON.replacing(valueAt:into:reservingNodes:bytes:with:)`); false, leaving `result` as it was, when
    /// there is nothing to replace; when it throws, `result` holds no usable document.
    public func replacingUserData(in event: FlatJSON, into result: inout FlatJSON) throws(UserDataError) -> Bool {
        let replaced = try event.withRoot { (root) throws(UserDataError) -> Bool in
            guard let userData = root.member("user_data"), userData.kind == .object else { return false }
            var slots = InlineArray<16, FlatJSON.Value?>(repeating: nil)
            if try Self.scan(userData, into: &slots) { return false }
            // Room for the usual case, a scalar per field: its key, an array and a hash.
            let span = userData.subtreeEnd - userData.index
            try event.replacing(valueAt: userData.index, into: &result, reservingNodes: span * 3 / 2 + 1, bytes: span * 40 + 64) {
                (out) throws(UserDataError) in
                var writer = FlatUserDataWriter(taking: &out)
                try write(slots, to: &writer)
                writer.finish(into: &out)
            }
            return true
        }
        return replaced ?? false
    }

    /// One pass over the keys: puts each key's value in `slots` by position (the hashed fields in `fields`
    /// order, then the plain keys) and says whether the input already is the wire form (every hashed field a
    /// non-empty array of distinct lower-case SHA-256 hex strings, every plain field a trimmed non-empty
    /// string): `pinterest.send`'s second look at an event hashed by the tag then costs a scan, not a rebuild.
    /// Unknown keys throw (the least one, so the error for a given input is always the same).
    private static func scan<UserData: JSONReadable>(
        _ userData: UserData, into slots: inout InlineArray<16, UserData?>
    ) throws(UserDataError) -> Bool {
        var unknown: String? = nil
        var isWireForm = true
        _ = userData.allMembers { key, value in
            switch UserDataKey(utf8: key) {
            case .hashed(let field)?:
                slots[field.order] = value
                if isWireForm { isWireForm = Self.isWireHashes(value) }
            case .plain(let order)?:
                slots[Self.fields.count + order] = value
                if isWireForm { isWireForm = Self.isWirePlain(value) }
            case nil:
                let key = String(decoding: key, as: UTF8.self)
                if unknown.map({ key < $0 }) ?? true { unknown = key }
            }
            return true
        }
        if let unknown { throw .unknownField(unknown) }
        return isWireForm
    }

    /// Writes the wire form of the values `scan` found. Fields are visited in a fixed order, so the first
    /// error reported for a given input is always the same.
    private func write<UserData: JSONReadable, Sink: WireUserDataSink>(
        _ slots: InlineArray<16, UserData?>, to sink: inout Sink
    ) throws(UserDataError) {
        for field in Self.fields {
            guard let value = slots[field.order] else { continue }
            try appendHashes(field, value, to: &sink)
        }
        for order in UserDataKey.plainKeys.indices {
            guard let value = slots[Self.fields.count + order] else { continue }
            try Self.appendPlain(.plain(order: order), value, to: &sink)
        }
    }

    /// `UserDataField.allCases`, made once (the synthesized getter builds a new array per call).
    private static let fields = UserDataField.allCases

    /// A hashed field as `hash` writes it: a non-empty array of distinct wire hashes.
    private static func isWireHashes(_ value: some JSONReadable) -> Bool {
        guard value.kind == .array, value.itemCount > 0 else { return false }
        var index = 0
        var distinct = true
        let allHashes = value.allElements { element in
            guard element.withUTF8({ SHA256Hex.isWireHash(utf8: $0) }) == true else { return false }
            var position = 0
            _ = value.allElements { earlier in
                guard position < index else { return false }
                position += 1
                if earlier.withUTF8({ a in element.withUTF8 { b in a.elementsEqual(b) } }) == true { distinct = false }
                return distinct
            }
            index += 1
            return distinct
        }
        return allHashes && distinct
    }

    /// A plain field as `hash` writes it: a trimmed non-empty string.
    private static func isWirePlain(_ value: some JSONReadable) -> Bool {
        value.withUTF8 { !$0.isEmpty && UnicodeText.isTrimmed(utf8: $0) } ?? false
    }

    /// Appends the wire hashes of one field's value (a scalar or an array of scalars; nulls skipped).
    private func appendHashes<Sink: WireUserDataSink>(
        _ field: UserDataField, _ value: some JSONReadable, to sink: inout Sink
    ) throws(UserDataError) {
        switch value.kind {
        case .null:
            return
        case .string, .int, .double:
            appendHash(field, value, to: &sink)
        case .array:
            var failure: UserDataError?
            _ = value.allElements { element in
                switch element.kind {
                case .null:
                    return true
                case .string, .int, .double:
                    appendHash(field, element, to: &sink)
                    return true
                case .bool, .array, .object:
                    failure = .wrongType(field: field.rawValue, type: element.kind.name)
                    return false
                }
            }
            if let failure { throw failure }
        case .bool, .object:
            throw .wrongType(field: field.rawValue, type: value.kind.name)
        }
        sink.closeHashedField(field)
    }

    /// Normalizes and hashes one scalar: ASCII text on bytes (`ASCIINormalizer`), anything else as a `String`.
    /// The hash is made on the stack and handed to `sink`.
    private func appendHash<Sink: WireUserDataSink>(_ field: UserDataField, _ value: some JSONReadable, to sink: inout Sink) {
        let handled = value.withUTF8 { raw in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(raw.count, 64)) { out in
                switch ASCIINormalizer.prepare(field, raw, externalIDRule: normalizer.externalIDRule, into: out) {
                case .declined:
                    return false
                case .omitted:
                    return true
                case .plain(let count):
                    SHA256Hex.withHash(of: UnsafeBufferPointer(rebasing: out[..<count])) { sink.appendHash($0, field: field) }
                case .alreadyHashed(let count):
                    sink.appendHash(UnsafeBufferPointer(rebasing: out[..<count]), field: field)
                }
                return true
            }
        }
        if handled == true { return }
        switch normalizer.prepare(field, value.jsonValue) {
        case nil:
            return
        case .alreadyHashed(var hex)?:
            hex.withUTF8 { sink.appendHash($0, field: field) }
        case .plain(var text)?:
            text.withUTF8 { utf8 in SHA256Hex.withHash(of: utf8) { sink.appendHash($0, field: field) } }
        }
    }

    /// Appends a never-hashed value as a plain string: trimmed, numbers in decimal, empty dropped. A string
    /// with visible ASCII at both ends (an IP address, a user agent) is already trimmed: its bytes go as they are.
    private static func appendPlain<Sink: WireUserDataSink>(
        _ key: UserDataKey, _ value: some JSONReadable, to sink: inout Sink
    ) throws(UserDataError) {
        let done = value.withUTF8 { utf8 in
            guard UnicodeText.hasVisibleASCIIEnds(utf8: utf8) else { return false }
            sink.appendPlain(key, utf8)
            return true
        }
        if done == true { return }
        guard var text = try plain(key.name, value.jsonValue) else { return }
        text.withUTF8 { sink.appendPlain(key, $0) }
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
