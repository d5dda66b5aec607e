import TestRandom
import TagdJSON
import Testing
@testable import UserDataHashing

/// The byte route for ASCII text must give what the string route gives, for every field and any ASCII input.
@Suite struct ASCIINormalizerTests {
    /// Pieces that reach every branch of the rules: wrappers, markers, separators, codes, hashes, whitespace.
    static let pieces: [String] = [
        "a", "B", "z", "Q", "x", "X", "e", "t", "l", "0", "1", "7", "9", "00", "+", "+1", "(", ")", "(0)", "( 0 )",
        "-", ".", "..", ",", ";", "/", "|", "&", "#", ":", "@", "<", ">", "_", "'", " ", "  ", "\t", "\n", "\r",
        "mailto:", "MAILTO:", "tel:", "TEL:", "ext", "Ext.", "extension", "extn", "x12", "#3", "@example.com",
        "john.smith", "John", "SMITH", "San Francisco", "St. Louis", "94105", "94105-1234", "941051234", "94105 1234",
        "SW1A 1AA", "US", "us", "de", "zz", "GB", "N.Y.", "tx", "New York", "650", "555", "1212", "0044", "650-555-1212",
        String(repeating: "ab12", count: 16), String(repeating: "AB12", count: 16), String(repeating: "a", count: 63),
    ]

    static func text(_ random: inout Random) -> String {
        var s = ""
        // Half of them short (a code, a name, one number), half long.
        for _ in 0..<(1 + random.next(random.next(2) == 0 ? 3 : 12)) { s += pieces[random.next(pieces.count)] }
        return s
    }

    static func viaBytes(
        _ field: UserDataField, _ s: String, _ rule: UserDataNormalizer.ExternalIDRule
    ) -> UserDataNormalizer.Prepared?? {
        var s = s
        return s.withUTF8 { raw in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(raw.count, 64)) { out in
                switch ASCIINormalizer.prepare(field, raw, externalIDRule: rule, into: out) {
                case .declined: return .none
                case .omitted: return .some(nil)
                case .plain(let n): return .plain(String(decoding: UnsafeBufferPointer(rebasing: out[..<n]), as: UTF8.self))
                case .alreadyHashed(let n):
                    return .alreadyHashed(String(decoding: UnsafeBufferPointer(rebasing: out[..<n]), as: UTF8.self))
                }
            }
        }
    }

    @Test(arguments: UserDataField.allCases)
    func bytesAgreeWithStrings(_ field: UserDataField) {
        var random = Random(seed: 0x5EED_0000 + UInt64(field.order))
        for rule in [UserDataNormalizer.ExternalIDRule.trimmedLowercased, .trimmed] {
            let normalizer = UserDataNormalizer(today: pinnedToday, externalID: rule)
            var handled = 0, nonEmpty = 0
            for _ in 0..<6_000 {
                let s = Self.text(&random)
                guard let fast = Self.viaBytes(field, s, rule) else { continue }
                handled += 1
                let expected = normalizer.prepare(field, s)
                if expected != nil { nonEmpty += 1 }
                #expect(fast == expected, "\(field) \(s.debugDescription)")
                if field == .ge || field == .db {  // only what comes before a field's rule: blank, or a hash
                    if case .plain? = fast { Issue.record("\(field) \(s.debugDescription) normalized on bytes") }
                }
            }
            switch field {
            case .ge, .db: #expect(handled < 300)
            case .st, .country: #expect(handled > 150)
            default: #expect(handled == 6_000)
            }
            #expect(nonEmpty > 30)
        }
    }

    /// The country bit table says what the set of codes says, for every pair of bytes a code could start with.
    @Test func alpha2BitsAgreeWithTheSet() {
        for a in UInt8(0x20)...0x7F {
            for b in UInt8(0x20)...0x7F {
                let code = String(decoding: [a, b], as: UTF8.self)
                #expect(ISO3166.isAlpha2(a, b) == ISO3166.alpha2.contains(code), "\(code)")
            }
        }
    }

    @Test func textThatIsNotASCIIIsDeclined() {
        for field in UserDataField.allCases {
            #expect(Self.viaBytes(field, " Zoë@Example.com ", .trimmedLowercased) == .none)
        }
    }

    @Test func hashedUserDataIsTheSameEitherWay() throws {
        let hasher = UserDataHasher(normalizer: UserDataNormalizer(today: pinnedToday))
        var random = Random(seed: 42)
        for _ in 0..<500 {
            var userData: [String: JSONValue] = [:]
            for field in UserDataField.allCases where random.next(2) == 0 {
                userData[field.rawValue] = random.next(3) == 0
                    ? .array([.string(Self.text(&random)), .string(Self.text(&random))])
                    : .string(Self.text(&random))
            }
            // Through the byte route (flat JSON) and value by value through the string route.
            let wire = try FlatJSON(.object(userData)).withRoot { root in
                Result { () throws(UserDataError) in try hasher.wireForm(of: root, unlessAlready: false)?.dictionary ?? [:] }
            }?.get()
            var expected: [String: JSONValue] = [:]
            for (key, value) in userData {
                guard let field = UserDataField(rawValue: key) else { continue }
                let texts: [String]
                switch value {
                case .string(let s): texts = [s]
                case .array(let items): texts = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
                default: texts = []
                }
                var hashes: [JSONValue] = []
                for text in texts {
                    guard let hash = hasher.hashedValue(field, text), !hashes.contains(.string(hash)) else { continue }
                    hashes.append(.string(hash))
                }
                if !hashes.isEmpty { expected[key] = .array(hashes) }
            }
            #expect(wire == expected)
        }
    }
}

/// SplitMix64: deterministic, so a failure reproduces.
struct Random {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
