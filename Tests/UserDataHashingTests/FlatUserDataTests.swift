import TagdJSON
import Testing
import UserDataHashing

/// The hasher is one generic pass; a `FlatJSON` user_data must come out as its `JSONValue` twin does.
@Suite struct FlatUserDataTests {
    let hasher = UserDataHasher(normalizer: UserDataNormalizer(today: pinnedToday))

    @Test func flatInputHashesAsTheTreeDoes() {
        let wire = SHA256Hex.hash("a@b.co")
        let cases: [[String: JSONValue]] = [
            [:], ["em": " John@Example.com "], ["em": ["b@x.io", " B@X.io ", .null, .string(wire)], "ph": 16_505_551_212],
            ["zp": 2108, "ct": "São Paulo", "st": "  ", "country": "Deutschland", "db": "1990-01-31", "ge": "F"],
            ["em": [.string(wire)], "client_ip_address": "10.0.0.1"], ["em": [.string(wire), .string(wire)]],
            ["client_user_agent": " UA "], ["external_id": 12.5, "hashed_maids": .string(wire.uppercased())],
            ["em": true], ["ph": [[1]]], ["bogus": 1, "zz": 2], ["client_ip_address": ["x"]], ["em": [:]],
        ]
        for userData in cases {
            let tree = Result { () throws(UserDataError) in try hasher.hash(userData) }
            let flat = FlatJSON(.object(userData)).withRoot { root in
                Result { () throws(UserDataError) in
                    try hasher.wireForm(of: root, unlessAlready: false)?.dictionary ?? [:]
                }
            }
            #expect(flat == tree, "\(JSONValue.object(userData).encodedString())")
        }
    }
}
