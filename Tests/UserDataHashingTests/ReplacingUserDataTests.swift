import TestRandom
import TagdJSON
import Testing
import UserDataHashing

/// `replacingUserData` writes the hashed user_data straight into the new event; it must make the very document
/// (nodes and bytes) that the composition it replaced made: `wireForm`, `WireUserData.append(to:)` into a
/// document of its own, and the node-by-node `replacing(valueAt:with:)` kept below as `referenceReplacing`.
@Suite struct ReplacingUserDataTests {
    let hasher = UserDataHasher(normalizer: UserDataNormalizer(today: pinnedToday))

    @Test func generatedEventsComeOutAsTheComposition() throws {
        var random = SplitMix64(seed: 0x5EED_0F_0DA7A)
        var reused = FlatJSON()
        var counts = (replaced: 0, unchanged: 0, failed: 0)
        for round in 0..<3_000 {
            let event = Shape.event(&random)
            let document = event.document(sharingEqualStrings: round % 3 == 0)
            let expected = Result { () throws(UserDataError) in try composition(document) }
            let direct = Result { () throws(UserDataError) in try hasher.replacingUserData(in: document) }
            let intoReused = Result { () throws(UserDataError) -> FlatJSON? in
                try hasher.replacingUserData(in: document, into: &reused) ? reused : nil
            }
            let label = "round \(round): \(document.jsonValue.encodedString())"
            switch (expected, direct, intoReused) {
            case (.success(let a?), .success(let b?), .success(let c?)):
                #expect(a.isIdentical(to: b), "\(label)")
                #expect(a.isIdentical(to: c), "\(label)")
                #expect(a.encoded() == b.encoded(), "\(label)")
                counts.replaced += 1
            case (.success(nil), .success(nil), .success(nil)):
                counts.unchanged += 1
            case (.failure(let a), .failure(let b), .failure(let c)):
                #expect(a == b && a == c, "\(label)")
                counts.failed += 1
            default:
                Issue.record("\(label): \(expected) / \(direct) / \(intoReused)")
            }
        }
        // Every outcome is exercised, each many times.
        #expect(counts.replaced > 1_000 && counts.unchanged > 100 && counts.failed > 100, "\(counts)")
    }

    @Test func replacingWithADocumentIsTheNodeByNodeReplacement() {
        var random = SplitMix64(seed: 42)
        for round in 0..<1_000 {
            let document = Shape.event(&random).document(sharingEqualStrings: round % 2 == 0)
            let other = Shape.value(&random, depth: 0).document(sharingEqualStrings: false)
            let index = Int(random.next() % UInt64(document.nodes.count))
            let expected = referenceReplacing(document, valueAt: index, with: other)
            #expect(document.replacing(valueAt: index, with: other).isIdentical(to: expected), "round \(round)")
        }
    }

    @Test func userDataOfEveryShape() throws {
        let wire = SHA256Hex.hash("a@b.co"), other = SHA256Hex.hash("c@d.co")
        let shapes: [Shape] = [
            .object([]),
            .object([("em", .string(" John.Smith@Example.com "))]),
            .object([("em", .array([.string("a@b.co"), .string(" A@B.co "), .null, .string(wire.uppercased())]))]),
            .object([("em", .array([.string(wire), .string(other)])), ("client_ip_address", .string("10.0.0.1"))]),
            .object([("em", .array([.string(wire), .string(wire)]))]),
            .object([("ct", .string("São Paulo")), ("st", .string("Bayern")), ("country", .string("Deutschland"))]),
            .object([("client_user_agent", .string(" Mozilla\u{00A0}")), ("partner_id", .int(7)), ("click_id", .double(2.5))]),
            .object([("em", .string("")), ("ph", .string("  ")), ("fn", .null)]),
            .object([("em", .bool(true))]),
            .object([("bogus", .int(1))]),
            .string("not an object"),
            .array([.string("x")]),
        ]
        for userData in shapes {
            for at in 0..<3 {
                var members: [(String, Shape)] = [("event_name", .string("checkout")), ("event_id", .string("e-1"))]
                members.insert(("user_data", userData), at: at)
                let document = Shape.object(members).document(sharingEqualStrings: at == 1)
                let expected = Result { () throws(UserDataError) in try composition(document) }
                let direct = Result { () throws(UserDataError) in try hasher.replacingUserData(in: document) }
                switch (expected, direct) {
                case (.success(let a?), .success(let b?)): #expect(a.isIdentical(to: b))
                case (.success(nil), .success(nil)): break
                case (.failure(let a), .failure(let b)): #expect(a == b)
                default: Issue.record("\(expected) / \(direct)")
                }
            }
        }
        // Absent user_data: nothing to replace.
        #expect(try hasher.replacingUserData(in: Shape.object([("event_name", .string("x"))]).document()) == nil)
    }

    /// What `pinterest.send` did before: the wire form built apart, written into a document of its own and
    /// spliced in.
    private func composition(_ event: FlatJSON) throws(UserDataError) -> FlatJSON? {
        let found = try event.withRoot { (root) throws(UserDataError) -> (Int, FlatJSON)? in
            guard let userData = root.member("user_data"), userData.kind == .object,
                  let wire = try hasher.wireForm(of: userData, unlessAlready: true)
            else { return nil }
            var hashed = FlatJSON()
            wire.append(to: &hashed)
            return (userData.index, hashed)
        }
        guard let (index, hashed) = found ?? nil else { return nil }
        return referenceReplacing(event, valueAt: index, with: hashed)
    }
}

/// `FlatJSON.replacing(valueAt:with:)` as it was written first: node by node.
private func referenceReplacing(_ document: FlatJSON, valueAt index: Int, with other: FlatJSON) -> FlatJSON {
    let nodes = document.nodes
    var bytes = document.bytes
    let removedEnd = Int(nodes[index].end)
    var low = Int.max, high = 0
    for node in nodes[index..<removedEnd] where node.kind == .string {
        low = min(low, Int(node.payload))
        high = max(high, Int(node.payload) + Int(node.count))
    }
    func overlaps(_ node: FlatJSON.Node) -> Bool {
        node.kind == .string && Int(node.payload) < high && Int(node.payload) + Int(node.count) > low
    }
    if low < high, !nodes[..<index].contains(where: overlaps), !nodes[removedEnd...].contains(where: overlaps) {
        bytes.replaceSubrange(low..<high, with: repeatElement(0, count: high - low))
    }
    let otherBytes = UInt64(bytes.count)
    bytes.append(contentsOf: other.bytes)
    let shift = other.nodes.count - (removedEnd - index)
    var out = Array(nodes[0..<index])
    for i in 0..<index where Int(nodes[i].end) > index {
        out[i] = rebuilt(nodes[i], payload: nodes[i].payload, end: Int(nodes[i].end) + shift)
    }
    for node in other.nodes {
        out.append(rebuilt(node, payload: node.kind == .string ? node.payload + otherBytes : node.payload, end: Int(node.end) + index))
    }
    for node in nodes[removedEnd...] { out.append(rebuilt(node, payload: node.payload, end: Int(node.end) + shift)) }
    var result = FlatJSON()
    _ = bytes.withUnsafeBufferPointer { result.appendSource($0) }
    result.appendNodes(count: out.count) { target in
        for (i, node) in out.enumerated() { target[i] = node }
    }
    return result
}

private func rebuilt(_ node: FlatJSON.Node, payload: UInt64, end: Int) -> FlatJSON.Node {
    FlatJSON.Node(kind: node.kind, payload: payload, count: node.count, end: UInt32(end), isASCII: node.isASCII)
}

/// A JSON value with its members in a fixed order, written into a flat document in that order.
private indirect enum Shape {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([Shape]), object([(String, Shape)])

    /// The document; with `sharingEqualStrings`, equal strings and keys share their bytes, laid out apart from
    /// the nodes (as a GA4 event's keys share one block), so a replaced value's span may hold other strings.
    func document(sharingEqualStrings: Bool = false) -> FlatJSON {
        var json = FlatJSON()
        var shared: [String: Int] = [:]
        if sharingEqualStrings {
            var strings: [String] = []
            collect(into: &strings)
            for text in strings where shared[text] == nil {
                var text = text
                shared[text] = text.withUTF8 { json.appendSource($0) }
            }
        }
        write(to: &json, shared: shared)
        return json
    }

    private func collect(into strings: inout [String]) {
        switch self {
        case .string(let s): strings.append(s)
        case .array(let elements): for element in elements { element.collect(into: &strings) }
        case .object(let members):
            for (key, value) in members {
                strings.append(key)
                value.collect(into: &strings)
            }
        case .null, .bool, .int, .double: break
        }
    }

    private func write(to json: inout FlatJSON, shared: [String: Int]) {
        switch self {
        case .null: json.appendNull()
        case .bool(let b): json.append(b)
        case .int(let i): json.append(i)
        case .double(let d): json.append(d)
        case .string(let s): Self.string(s, to: &json, shared: shared)
        case .array(let elements):
            let mark = json.beginContainer(.array, count: elements.count)
            for element in elements { element.write(to: &json, shared: shared) }
            json.endContainer(mark)
        case .object(let members):
            let mark = json.beginContainer(.object, count: members.count)
            for (key, value) in members {
                Self.string(key, to: &json, shared: shared)
                value.write(to: &json, shared: shared)
            }
            json.endContainer(mark)
        }
    }

    private static func string(_ text: String, to json: inout FlatJSON, shared: [String: Int]) {
        if let offset = shared[text] {
            json.appendString(at: offset, count: text.utf8.count, isASCII: text.utf8.allSatisfy { $0 < 0x80 })
        } else {
            json.appendString(text)
        }
    }

    // MARK: - Generated events

    static let keys = ["em", "ph", "ge", "db", "fn", "ln", "ct", "st", "zp", "country", "external_id", "hashed_maids",
                       "client_ip_address", "client_user_agent", "click_id", "partner_id"]
    static let texts = [
        " John.Smith@Example.com ", "a@b.co", "<MAILTO:X@Y.ORG>", "not an email", "+1 (650) 555-1212", "0049 (0) 30 1234567",
        "John", "  Smith ", "São Paulo", "ÉLODIE", "Ñandú", "San Francisco", "CA", "California", "Bayern", "94105",
        "94105-1234", "SW1A 1AA", "US", "us", "Deutschland", "DEU", "1990-01-31", "31/01/1990", "F", "male", "User-123",
        "", "   ", "\u{00A0}x\u{00A0}", "10.0.0.1", "Mozilla/5.0 (X11; Linux x86_64)", " ua ", "日本",
        SHA256Hex.hash("a@b.co"), SHA256Hex.hash("c@d.co"), SHA256Hex.hash("e@f.co").uppercased(),
    ]

    static func event(_ random: inout SplitMix64) -> Shape {
        var members: [(String, Shape)] = [
            ("event_name", .string("checkout")), ("event_id", .string("ev-\(random.next() % 1000)")),
            ("custom_data", .object([("currency", .string("USD")), ("content_ids", .array([.string("em"), .string("SKU-1")]))])),
        ]
        switch random.next() % 10 {
        case 0: break  // no user_data
        case 1: members.insert(("user_data", value(&random, depth: 1)), at: Int(random.next() % 4))
        default: members.insert(("user_data", userData(&random)), at: Int(random.next() % 4))
        }
        return .object(members)
    }

    static func userData(_ random: inout SplitMix64) -> Shape {
        let wireForm = random.next() % 8 == 0
        var members: [(String, Shape)] = []
        for key in keys.shuffled(using: &random) where random.next() % 3 == 0 {
            let plain = keys.firstIndex(of: key).map { $0 >= 12 } ?? false
            if wireForm {
                members.append((key, plain ? .string("10.0.0.1") : .array([.string(SHA256Hex.hash(key))])))
            } else {
                members.append((key, field(&random)))
            }
        }
        if random.next() % 25 == 0 { members.append(("bogus", .int(1))) }
        return .object(members)
    }

    static func field(_ random: inout SplitMix64) -> Shape {
        switch random.next() % 12 {
        case 0: return .array((0..<Int(random.next() % 4)).map { _ in scalar(&random) })
        case 1: return .array([scalar(&random), scalar(&random), scalar(&random)].flatMap { [$0, $0] })  // duplicates
        case 2 where random.next() % 4 == 0: return value(&random, depth: 1)  // often a wrong type
        default: return scalar(&random)
        }
    }

    static func scalar(_ random: inout SplitMix64) -> Shape {
        switch random.next() % 16 {
        case 0: return .null
        case 1: return .int(Int64(random.next() % 20_000_000_000))
        case 2: return .double([12.5, 16505551212, 1e20, -3, 0.1][Int(random.next() % 5)])
        case 3 where random.next() % 4 == 0: return .bool(true)
        default: return .string(texts[Int(random.next() % UInt64(texts.count))])
        }
    }

    static func value(_ random: inout SplitMix64, depth: Int) -> Shape {
        switch random.next() % (depth < 2 ? 7 : 5) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .int(Int64(random.next() % 1000))
        case 3: return .double(2.5)
        case 4: return .string(texts[Int(random.next() % UInt64(texts.count))])
        case 5: return .array((0..<Int(random.next() % 3)).map { _ in value(&random, depth: depth + 1) })
        default:
            return .object((0..<Int(random.next() % 3)).map { i in (keys[(i * 5) % keys.count], value(&random, depth: depth + 1)) })
        }
    }
}

