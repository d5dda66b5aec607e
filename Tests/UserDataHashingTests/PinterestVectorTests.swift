import Foundation
import Testing
import UserDataHashing

/// One worked case from `Fixtures/pinterest-vectors.json` (the project's normalization decision record).
struct PinterestVector: Decodable, Sendable, CustomTestStringConvertible {
    let field: String
    let input: String
    let normalized: String?
    let sha256: String?
    let already_hashed_passthrough: Bool
    let `case`: String

    var testDescription: String { "\(field) \(`case`): \(input.debugDescription)" }

    /// Loaded once; an unreadable fixture yields no cases, which `fixtureHasAllCases` reports.
    static let all: [PinterestVector] = {
        guard let url = Bundle.module.url(forResource: "pinterest-vectors", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url)
        else { return [] }
        return (try? JSONDecoder().decode([PinterestVector].self, from: data)) ?? []
    }()
}

/// A fixed "today", so the birth-date rule never depends on when the tests run.
let pinnedToday: @Sendable () -> (year: Int, month: Int, day: Int) = { (2025, 6, 15) }

@Suite struct PinterestVectorTests {
    let normalizer = UserDataNormalizer(today: pinnedToday)
    var hasher: UserDataHasher { UserDataHasher(normalizer: normalizer) }

    @Test func fixtureHasAllCases() {
        #expect(PinterestVector.all.count == 105)
    }

    @Test(arguments: PinterestVector.all)
    func vector(_ v: PinterestVector) throws {
        let field = try #require(UserDataField(rawValue: v.field))
        #expect(normalizer.normalize(field, v.input) == v.normalized)
        #expect(hasher.hashedValue(field, v.input) == v.sha256)
        if let normalized = v.normalized, let sha256 = v.sha256, !v.already_hashed_passthrough {
            #expect(SHA256Hex.hash(normalized) == sha256)
        }
        // Through the whole-object path too: a scalar becomes a one-element array, an omitted value no key.
        let wire = try hasher.hash([v.field: .string(v.input)])
        #expect(wire[v.field] == v.sha256.map { .array([.string($0)]) })
        // What goes on the wire is recognised as such and hashing it again changes nothing.
        #expect(try hasher.hash(wire) == wire)
    }
}
