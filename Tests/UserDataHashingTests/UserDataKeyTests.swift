import Testing

@testable import UserDataHashing

/// The key names are spelled in several places (raw values, `plainKeys`, the byte classifier, the static wire
/// names): each key must classify to itself and write out as its own name.
@Suite struct UserDataKeyTests {
    static let keys: [UserDataKey] = UserDataField.allCases.map { .hashed($0) } + UserDataKey.plainKeys.indices.map { .plain(order: $0) }

    @Test func everyKeyIsWrittenAsItsName() {
        for key in Self.keys {
            #expect(String(describing: key.wireName) == key.name)
            #expect(UserDataKey(key.name) == key)
            var name = key.name
            #expect(name.withUTF8 { UserDataKey(utf8: $0) } == key)
        }
    }
}
