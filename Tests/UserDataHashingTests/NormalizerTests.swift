import Dispatch
import Synchronization
import TagdJSON
import Testing
@testable import UserDataHashing

/// Field rules beyond the fixture's worked cases.
@Suite struct NormalizerTests {
    let n = UserDataNormalizer(today: pinnedToday)  // 2025-06-15

    @Test(arguments: [
        ("2025-06-15", "20250615"), ("2025-06-16", nil), ("2026-01-01", nil), ("1900-01-01", "19000101"),
        ("1899-12-31", nil), ("2000-02-29", "20000229"), ("1900-02-29", nil), ("2/29/2004", "20040229"),
        ("1990-01-02 10:30", "19900102"), ("1990.1.2", "19900102"), ("13/13/1990", nil), ("12-31-1990", "19901231"),
        ("02.01.1990T", nil), ("١٩٩٠-٠١-٠٢", "19900102"), ("1990-01", nil), ("90-01-02", nil), ("19900230", nil),
    ] as [(String, String?)])
    func dateOfBirth(_ input: String, _ expected: String?) {
        #expect(n.normalize(.db, input) == expected)
    }

    @Test(arguments: [
        ("+1 650 555 1212 x12", "16505551212"), ("(650) 555-1212 #3", "6505551212"), ("tel:+16505551212", "16505551212"),
        ("650.555.1212 extension 9", "6505551212"), ("123456", nil), ("1234567890123456", nil), ("+33 (0) 1 23 45 67 89", "33123456789"),
        ("0044 (0)20 7946 0958", "442079460958"), ("650 555 1212, 650 555 1313", nil), ("+1 +1 650 555 1212", nil),
        ("call 650 555 1212", nil), ("650-555-1212\u{00A0}", "6505551212"),
    ] as [(String, String?)])
    func phone(_ input: String, _ expected: String?) {
        #expect(n.normalize(.ph, input) == expected)
    }

    @Test(arguments: [
        ("<mailto:John@Example.com>", "john@example.com"), ("mailto:<a@b.co>", "a@b.co"), ("a@@b.com", nil),
        ("a@b@c.com", nil), ("a@b..com", nil), ("a@.b.com", nil), ("@b.com", nil), ("a@localhost", nil),
        ("a\u{3000}b@example.com", "ab@example.com"),
    ] as [(String, String?)])
    func email(_ input: String, _ expected: String?) {
        #expect(n.normalize(.em, input) == expected)
    }

    @Test(arguments: [
        ("GBR", "gb"), ("Côte d'Ivoire", "ci"), ("COTE D IVOIRE", "ci"), ("St Lucia", "lc"), ("Saint Lucia", "lc"),
        ("Trinidad & Tobago", "tt"), ("the Netherlands", "nl"), ("Great Britain", "gb"), ("Korea, Republic of", "kr"),
        ("España", "es"), ("Europe", nil), ("XX", nil), ("日本", nil), ("U. S.", "us"), ("Russia", "ru"), ("Åland Islands", "ax"),
    ] as [(String, String?)])
    func country(_ input: String, _ expected: String?) {
        #expect(n.normalize(.country, input) == expected)
    }

    @Test(arguments: [
        ("Québec", "qc"), ("N.Y.", "ny"), ("District of Columbia", "dc"), ("Washington", "wa"), ("washington d.c.", "dc"),
        ("Puerto Rico", "pr"), ("British Columbia", "bc"), ("Texas ", "tx"), ("Calif", nil), ("by", "by"), ("N1", nil),
    ] as [(String, String?)])
    func state(_ input: String, _ expected: String?) {
        #expect(n.normalize(.st, input) == expected)
    }

    @Test func postalCodes() {
        #expect(n.normalize(.zp, "94105 1234") == "94105")
        #expect(n.normalize(.zp, "９４１０５") == "94105")
        #expect(n.normalize(.zp, "ec1a\u{2013}1bb") == "ec1a1bb")
        #expect(n.normalize(.zp, " - ") == nil)
        #expect(n.normalize(.zp, JSONValue.int(2108)) == "02108")
        #expect(n.normalize(.zp, JSONValue.int(941_051_234)) == "94105")
        #expect(n.normalize(.zp, JSONValue.double(2108.5)) == nil)
        #expect(n.normalize(.zp, JSONValue.int(-1)) == nil)
    }

    @Test func genderVariants() {
        #expect(n.normalize(.ge, "NON   BINARY") == "n")
        #expect(n.normalize(.ge, "NB") == "n")
        #expect(n.normalize(.ge, "MAN") == "m")
        #expect(n.normalize(.ge, "w") == nil)
    }

    @Test func lowerCasingIsFullAndContextual() {
        #expect(n.normalize(.ln, "ΣΟΦΟΣ") == "σοφος")  // medial sigma, final sigma
        #expect(n.normalize(.ln, "Σ") == "σ")  // not preceded by a cased letter
        #expect(n.normalize(.ln, "ΟΔΥΣΣΕΥΣ-ΙΘΑΚΗ") == "οδυσσευς-ιθακη")
        #expect(n.normalize(.fn, "ÉMILE") == "émile")
        #expect(n.normalize(.ct, "Saint-Étienne 42") == "saintétienne42")
        #expect(n.normalize(.ct, "...") == nil)
    }

    @Test func externalIDRuleIsConfigurable() {
        let caseSensitive = UserDataNormalizer(today: pinnedToday, externalID: .trimmed)
        #expect(caseSensitive.normalize(.external_id, " User-123 ") == "User-123")
        #expect(n.normalize(.external_id, " User-123 ") == "user-123")
    }

    @Test func jsonScalars() {
        #expect(n.normalize(.external_id, JSONValue.double(1.5)) == "1.5")
        #expect(n.normalize(.ph, JSONValue.double(1.5)) == nil)
        #expect(n.normalize(.fn, JSONValue.bool(true)) == nil)
        #expect(n.normalize(.fn, JSONValue.null) == nil)
        #expect(n.normalize(.db, JSONValue.int(19_900_102)) == "19900102")
    }

    @Test func sha256Hex() {
        #expect(SHA256Hex.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Hex.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // FIPS 180-2's long message: many blocks.
        #expect(SHA256Hex.hash(String(repeating: "a", count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Each thread hashes with contexts of its own, made on its first hash: every thread that
        // `concurrentPerform` runs (one per CPU) agrees with the values hashed on this one.
        let inputs = (0..<64).map { "value-\($0)-" + String(repeating: "é", count: $0) }
        let expected = inputs.map(SHA256Hex.hash)
        let agreed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            if (0..<50).allSatisfy({ _ in inputs.map(SHA256Hex.hash) == expected }) { agreed.add(1, ordering: .relaxed) }
        }
        #expect(agreed.load(ordering: .relaxed) == 16)
        #expect(SHA256Hex.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hex.isHashed(String(repeating: "aF", count: 32)))
        #expect(!SHA256Hex.isHashed(String(repeating: "a", count: 63)))
        #expect(!SHA256Hex.isHashed(String(repeating: "g", count: 64)))
        #expect(!SHA256Hex.isHashed(String(repeating: "a", count: 65)))
    }

    @Test func systemTodayIsACivilDate() {
        let today = UserDataNormalizer.systemToday()
        #expect(today.year >= 2025 && (1...12).contains(today.month) && (1...31).contains(today.day))
        #expect(CivilDate.fromDaysSinceEpoch(0) == (1970, 1, 1))
        #expect(CivilDate.fromDaysSinceEpoch(19_723) == (2024, 1, 1))
        #expect(CivilDate.fromDaysSinceEpoch(11_016) == (2000, 2, 29))
    }

    @Test func fieldTables() {
        #expect(UserDataField.allCases.count == 12)
        #expect(ISO3166.alpha2.count == 249)
        #expect(ISO3166.alpha3ToAlpha2.count == 249)
        #expect(UserDataField.neverHashed == ["client_ip_address", "client_user_agent", "click_id", "partner_id"])
        #expect(UserDataKey.plainKeys == UserDataField.neverHashed.sorted())
        #expect(UserDataField.allCases.map(\.order) == Array(0..<12))
    }

    /// The byte-level classifier agrees with the enum's raw values and the plain-key set, and refuses near misses.
    @Test func keysAreClassifiedAsTheTablesSay() {
        for field in UserDataField.allCases { #expect(UserDataKey(field.rawValue) == .hashed(field)) }
        for (order, key) in UserDataKey.plainKeys.enumerated() { #expect(UserDataKey(key) == .plain(order: order)) }
        let misses = ["", "e", "EM", "em ", "eM", "countrx", "Country", "external_i", "external_idd", "click-id",
                      "client_ip_addresx", "client_user_agenT", "partner", "hashed_maidz", "\u{0}m", "zz", "éé"]
        for key in misses { #expect(UserDataKey(key) == nil, "\(key)") }
    }
}
