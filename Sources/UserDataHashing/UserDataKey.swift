import Foundation

/// What a `user_data` key is: a hashed field, a plain (never hashed) field, or neither.
///
/// Classified by length and bytes, because a `String`-backed enum's `init(rawValue:)` compares the key with
/// every case and a `Set` lookup hashes it, and this runs for every key of every event, twice.
enum UserDataKey: Equatable {
    case hashed(UserDataField)
    /// One of `UserDataField.neverHashed`; `order` is its place in `plainKeys`.
    case plain(order: Int)

    /// `UserDataField.neverHashed` in the order they are written out.
    static let plainKeys = ["click_id", "client_ip_address", "client_user_agent", "partner_id"]

    /// The key's UTF-8, static: writing it costs no `String`.
    var wireName: StaticString {
        switch self {
        case .hashed(let field): return field.wireName
        case .plain(order: 0): return "click_id"
        case .plain(order: 1): return "client_ip_address"
        case .plain(order: 2): return "client_user_agent"
        case .plain(order: 3): return "partner_id"
        case .plain(let order): preconditionFailure("no plain user_data key of order \(order)")
        }
    }

    /// The key as a `String` (literals: nothing allocated).
    var name: String {
        switch self {
        case .hashed(let field): return field.rawValue
        case .plain(let order): return Self.plainKeys[order]
        }
    }

    /// Calls `body` with the key's UTF-8.
    @inline(__always)
    func withUTF8<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let name = wireName
        return try body(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    init?(_ key: String) {
        var key = key
        guard let kind = key.withUTF8({ Self.classify($0) }) else { return nil }
        self = kind
    }

    init?(utf8 key: UnsafeBufferPointer<UInt8>) {
        guard let kind = Self.classify(key) else { return nil }
        self = kind
    }

    private static func classify(_ b: UnsafeBufferPointer<UInt8>) -> UserDataKey? {
        switch b.count {
        case 2:
            switch (b[0], b[1]) {
            case (0x65, 0x6D): return .hashed(.em)
            case (0x70, 0x68): return .hashed(.ph)
            case (0x67, 0x65): return .hashed(.ge)
            case (0x64, 0x62): return .hashed(.db)
            case (0x66, 0x6E): return .hashed(.fn)
            case (0x6C, 0x6E): return .hashed(.ln)
            case (0x63, 0x74): return .hashed(.ct)
            case (0x73, 0x74): return .hashed(.st)
            case (0x7A, 0x70): return .hashed(.zp)
            default: return nil
            }
        case 7: return equals(b, "country") ? .hashed(.country) : nil
        case 8: return equals(b, "click_id") ? .plain(order: 0) : nil
        case 10: return equals(b, "partner_id") ? .plain(order: 3) : nil
        case 11: return equals(b, "external_id") ? .hashed(.external_id) : nil
        case 12: return equals(b, "hashed_maids") ? .hashed(.hashed_maids) : nil
        case 17:
            if equals(b, "client_ip_address") { return .plain(order: 1) }
            return equals(b, "client_user_agent") ? .plain(order: 2) : nil
        default: return nil
        }
    }

    @inline(__always)
    private static func equals(_ b: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        // memcmp: `elementsEqual` went through a generic iterator byte by byte.
        guard name.utf8CodeUnitCount == b.count else { return false }
        guard let base = b.baseAddress else { return true }
        return memcmp(name.utf8Start, base, b.count) == 0
    }
}
