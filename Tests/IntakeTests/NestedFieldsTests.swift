import TagdJSON
import Testing

@testable import Intake

/// `NestedFields` against nested-dictionary writing, over every sequence of a few writes: the same fields, or
/// the same conflict.
@Suite struct NestedFieldsTests {
    static let paths = ["a", "b", "a.b", "a.c", "a.b.c", "b.a", "a.b.c.d", "é.k\u{301}"]
    static let values: [JSONValue] = ["s", 1.5, 2]

    /// Few keys (found by a scan), and after 40 unrelated keys (found through the index).
    @Test(arguments: [0, 40]) func everySequenceOfThreeWritesEndsAsBefore(unrelatedKeys: Int) throws {
        let writes = Self.paths.flatMap { path in Self.values.map { (path, $0) } }
        var conflicts = 0
        var prefilled = NestedFields()
        var prefilledReference: [String: JSONValue] = [:]
        for i in 0..<unrelatedKeys {
            try prefilled.set("u", at: "u\(i % 4).k\(i)", from: 0)
            try Self.referenceSet("u", at: "u\(i % 4).k\(i)"[...], in: &prefilledReference)
        }
        for first in writes {
            for second in writes {
                for third in writes {
                    let sequence = [first, second, third]
                    var fields = prefilled
                    var reference = prefilledReference
                    var outcome = "", expected = ""
                    for (path, value) in sequence {
                        do throws(NestedFields.Conflict) {
                            try fields.set(value, at: "ep." + path, from: 3)
                        } catch {
                            outcome = "\(error)"
                            break
                        }
                    }
                    for (path, value) in sequence {
                        do throws(NestedFields.Conflict) {
                            try Self.referenceSet(value, at: path[...], in: &reference)
                        } catch {
                            expected = "\(error)"
                            break
                        }
                    }
                    #expect(outcome == expected, "\(sequence)")
                    if expected.isEmpty {
                        #expect(fields.fields == reference, "\(sequence)")
                    } else {
                        conflicts += 1
                    }
                }
            }
        }
        #expect(conflicts > 1_000)  // both outcomes are compared
    }

    @Test func pathsDeeperThanTheLimitAreRefused() throws {
        var fields = NestedFields()
        let deepest = (0..<NestedFields.maxDepth).map { "s\($0)" }.joined(separator: ".")
        try fields.set("v", at: deepest, from: 0)
        var inner = fields.fields
        for depth in 0..<(NestedFields.maxDepth - 1) {
            guard case .object(let next)? = inner["s\(depth)"] else {
                Issue.record("no object at depth \(depth)")
                return
            }
            inner = next
        }
        #expect(inner["s\(NestedFields.maxDepth - 1)"] == "v")
        #expect(throws: NestedFields.Conflict.self) { try fields.set("v", at: deepest + ".one", from: 0) }
        // A name of a hundred thousand parts is refused before anything walks it.
        #expect(throws: NestedFields.Conflict.self) {
            try fields.set("v", at: String(repeating: "a.", count: 100_000) + "a", from: 0)
        }
    }

    @Test func emptySegmentsAreRefused() {
        for path in ["", ".", "a.", ".a", "a..b", "a...b"] {
            var fields = NestedFields()
            #expect(throws: NestedFields.Conflict.self, "\(path)") { try fields.set("v", at: "ep." + path, from: 3) }
        }
    }

    @Test func manyKeysGoThroughTheIndexAndStillNest() throws {
        var fields = NestedFields()
        var expected: [String: JSONValue] = [:]
        for i in 0..<200 {
            try fields.set(.int(Int64(i)), at: "k\(i % 50).v\(i)", from: 0)
            try Self.referenceSet(.int(Int64(i)), at: "k\(i % 50).v\(i)"[...], in: &expected)
        }
        try fields.set("late", at: "k3.v3", from: 0)
        try Self.referenceSet("late", at: "k3.v3"[...], in: &expected)
        #expect(fields.fields == expected)
        #expect(throws: NestedFields.Conflict.self) { try fields.set("x", at: "k7", from: 0) }
    }

    /// The writing `NestedFields` once was: nested dictionaries, a child taken out, changed and put back.
    static func referenceSet(_ value: JSONValue, at path: Substring, in fields: inout [String: JSONValue]) throws(NestedFields.Conflict) {
        let segments = path.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Substring.init)
        guard !segments.isEmpty, !segments.contains(where: { $0.isEmpty }) else { throw .emptySegment }
        if let depth = set(value, at: segments[...], in: &fields) {
            throw .notAnObject(segments.prefix(depth + 1).joined(separator: "."))
        }
    }

    private static func set(_ value: JSONValue, at segments: ArraySlice<Substring>, in fields: inout [String: JSONValue]) -> Int? {
        guard let head = segments.first else { return nil }
        let key = String(head)
        let rest = segments.dropFirst()
        if rest.isEmpty {
            if case .object = fields[key], !isObject(value) { return segments.startIndex }
            fields[key] = value
            return nil
        }
        var child: [String: JSONValue]
        switch fields.removeValue(forKey: key) {
        case nil: child = [:]
        case .object(let existing)?: child = existing
        case let other?:
            fields[key] = other
            return segments.startIndex
        }
        defer { fields[key] = .object(child) }
        return set(value, at: rest, in: &child)
    }

    private static func isObject(_ value: JSONValue) -> Bool {
        if case .object = value { return true }
        return false
    }
}

extension NestedFields {
    /// Every value written, as the tree the flat object reads as.
    var fields: [String: JSONValue] {
        var document = FlatJSON()
        appendObject(to: &document)
        return document.jsonValue.objectValue ?? [:]
    }
}
