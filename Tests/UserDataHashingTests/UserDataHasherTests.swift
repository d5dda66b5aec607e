import TagdJSON
import Testing
import UserDataHashing

@Suite struct UserDataHasherTests {
    let hasher = UserDataHasher(normalizer: UserDataNormalizer(today: pinnedToday))
    let upperHex = "855F96E983F1F8E8BE944692B6F719FD54329826CB62E98015EFEE8E2E071DD4"
    let emptyHash = SHA256Hex.hash("")

    @Test func arraysAreHashedElementByElementInOrder() throws {
        let out = try hasher.hash(["em": ["b@example.com", "a@example.com"]])
        #expect(out["em"] == .array([.string(SHA256Hex.hash("b@example.com")), .string(SHA256Hex.hash("a@example.com"))]))
    }

    @Test func scalarBecomesOneElementArray() throws {
        let out = try hasher.hash(["fn": "Mary"])
        #expect(out["fn"] == .array([.string(SHA256Hex.hash("mary"))]))
    }

    @Test func duplicatesAreRemovedAfterNormalization() throws {
        let out = try hasher.hash([
            "em": ["John@Example.com", " john@example.com ", "mailto:JOHN@example.com", "other@example.com"],
            "ph": ["+1 (650) 555-1212", "001 650 555 1212", .int(16_505_551_212)],
        ])
        #expect(out["em"] == .array([.string(SHA256Hex.hash("john@example.com")), .string(SHA256Hex.hash("other@example.com"))]))
        #expect(out["ph"] == .array([.string(SHA256Hex.hash("16505551212"))]))
    }

    @Test func alreadyHashedPassesThroughLowerCased() throws {
        let out = try hasher.hash(["em": .string(" \(upperHex) "), "external_id": [.string(upperHex), .string(upperHex.lowercased())]])
        #expect(out["em"] == .array([.string(upperHex.lowercased())]))
        #expect(out["external_id"] == .array([.string(upperHex.lowercased())]))
    }

    @Test func wireFormIsKeptAndAnythingElseIsHashedAgain() throws {
        let wire = try hasher.hash(["em": ["a@example.com", "b@example.com"], "fn": "Mary", "client_ip_address": " 10.0.0.1 "])
        #expect(try hasher.hash(wire) == wire)
        // Each of these differs from the wire form in one way, and must come out as `hash` makes it.
        let hashA = SHA256Hex.hash("a@example.com")
        #expect(try hasher.hash(["em": [.string(hashA), .string(hashA)]]) == ["em": [.string(hashA)]])
        #expect(try hasher.hash(["em": .string(hashA)]) == ["em": [.string(hashA)]])
        #expect(try hasher.hash(["em": [.string(hashA.uppercased())]]) == ["em": [.string(hashA)]])
        #expect(try hasher.hash(["em": []]) == [:])
        #expect(try hasher.hash(["client_user_agent": " UA "]) == ["client_user_agent": "UA"])
        #expect(throws: UserDataError.unknownField("nope")) { try hasher.hash(["em": [.string(hashA)], "nope": "x"]) }
    }

    @Test func whitespaceOnlyAndInvalidValuesAreOmitted() throws {
        let out = try hasher.hash([
            "em": "   ", "fn": "\u{FEFF}\u{00A0}\t", "ge": "other", "ph": ["", "  ", "+1 650 555 1212"], "ln": [],
        ])
        #expect(out.keys.sorted() == ["ph"])
        #expect(out["ph"] == .array([.string(SHA256Hex.hash("16505551212"))]))
        #expect(!out.values.contains(.array([.string(emptyHash)])))
    }

    @Test func thirtyTwoHexIsHashedNotPassedThrough() throws {
        let md5 = "0cc175b9c0f1b6a831c399e269772661"
        let out = try hasher.hash(["external_id": .string(md5.uppercased())])
        #expect(out["external_id"] == .array([.string(SHA256Hex.hash(md5))]))
    }

    @Test func neverHashedFieldsArePlainStrings() throws {
        let out = try hasher.hash([
            "client_ip_address": " 203.0.113.7 ",
            "client_user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
            "click_id": "",
            "partner_id": .int(12345),
        ])
        #expect(out == [
            "client_ip_address": "203.0.113.7",
            "client_user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
            "partner_id": "12345",
        ])
    }

    @Test func unknownKeyIsAnError() {
        #expect(throws: UserDataError.unknownField("xyz")) { try hasher.hash(["em": "a@example.com", "xyz": "1"]) }
        // Several unknown keys: always the same one is reported.
        #expect(throws: UserDataError.unknownField("aaa")) { try hasher.hash(["zzz": "1", "aaa": "1", "mmm": "1"]) }
        #expect(UserDataError.unknownField("xyz").description.contains("xyz"))
    }

    @Test func wrongTypeIsAnErrorNamingTheField() {
        #expect(throws: UserDataError.wrongType(field: "em", type: "object")) { try hasher.hash(["em": ["a": "b"]]) }
        #expect(throws: UserDataError.wrongType(field: "ge", type: "boolean")) { try hasher.hash(["ge": true]) }
        #expect(throws: UserDataError.wrongType(field: "ph", type: "array")) { try hasher.hash(["ph": [["1"]]]) }
        #expect(throws: UserDataError.wrongType(field: "fn", type: "boolean")) { try hasher.hash(["fn": ["mary", false]]) }
        #expect(throws: UserDataError.wrongType(field: "click_id", type: "array")) { try hasher.hash(["click_id": ["x"]]) }
        #expect(UserDataError.wrongType(field: "em", type: "object").description.contains("\"em\""))
    }

    @Test func numbersAreAccepted() throws {
        let out = try hasher.hash(["zp": [.int(2108), .double(94105)], "ph": .int(16_505_551_212), "db": .int(19_900_102), "external_id": .int(42)])
        #expect(out["zp"] == .array([.string(SHA256Hex.hash("02108")), .string(SHA256Hex.hash("94105"))]))
        #expect(out["ph"] == .array([.string(SHA256Hex.hash("16505551212"))]))
        #expect(out["db"] == .array([.string(SHA256Hex.hash("19900102"))]))
        #expect(out["external_id"] == .array([.string(SHA256Hex.hash("42"))]))
    }

    @Test func nullValuesAreDropped() throws {
        let out = try hasher.hash(["em": nil, "fn": [nil, "Mary", nil], "click_id": nil])
        #expect(out == ["fn": .array([.string(SHA256Hex.hash("mary"))])])
    }

    @Test func wholeObjectWireForm() throws {
        let out = try hasher.hash([
            "em": "John@Example.com", "country": "USA", "zp": "94105-1234", "client_ip_address": "203.0.113.7",
        ])
        let expected = "{\"client_ip_address\":\"203.0.113.7\","
            + "\"country\":[\"\(SHA256Hex.hash("us"))\"],"
            + "\"em\":[\"\(SHA256Hex.hash("john@example.com"))\"],"
            + "\"zp\":[\"\(SHA256Hex.hash("94105"))\"]}"
        #expect(JSONValue.object(out).encodedString() == expected)
    }
}
