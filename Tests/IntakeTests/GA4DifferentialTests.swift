import TestRandom
import TagdJSON
import Testing

@testable import Intake

/// The GA4 intake against `ReferenceGA4Collect` (the dictionary-tree mapper it replaced) over many generated hits:
/// the same events, or the same error.
@Suite struct GA4DifferentialTests {
    @Test(arguments: 0..<8) func generatedHitsGiveTheSameEventsOrErrors(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var accepted = 0, refused = 0
        for _ in 0..<1_500 {
            let hit = Self.hit(&random)
            let outcome = Result { () throws(IntakeError) in try IntakeClients().process(hit)?.flatEvents ?? [] }
            let expected = Result { () throws(IntakeError) in try ReferenceGA4Collect.events(from: hit) }
            switch (outcome, expected) {
            case let (.success(events), .success(reference)):
                accepted += 1
                #expect(events.count == reference.count, "\(hit.query) \(hit.body)")
                for (event, referenceEvent) in zip(events, reference) {
                    #expect(event.jsonValue == referenceEvent.jsonValue, "\(hit.query) \(hit.body)")
                    #expect(event.encoded() == referenceEvent.encoded(), "\(hit.query) \(hit.body)")
                    #expect(Self.isWellFormed(event), "\(hit.query) \(hit.body)")
                }
            case let (.failure(error), .failure(referenceError)):
                refused += 1
                #expect(error == referenceError, "\(hit.query) \(hit.body)")
            default:
                Issue.record("\(outcome) but \(expected): \(hit.query) \(hit.body)")
            }
        }
        // Both outcomes are exercised.
        #expect(accepted > 300)
        #expect(refused > 100)
    }

    /// Every container spans its contents and no object repeats a key (a tree would hide a repeat).
    static func isWellFormed(_ document: FlatJSON) -> Bool {
        guard let root = document.nodes.first, Int(root.end) == document.nodes.count else { return false }
        return document.withRoot { check($0) } ?? false
    }

    private static func check(_ value: FlatJSON.Value) -> Bool {
        switch value.kind {
        case .object:
            var keys = Set<String>(), count = 0
            let membersAreWellFormed = value.allMembers { key, member in
                count += 1
                keys.insert(String(decoding: key, as: UTF8.self))
                return check(member)
            }
            return membersAreWellFormed && keys.count == count && count == value.itemCount
                && value.subtreeEnd == lastEnd(value)
        case .array:
            var count = 0
            let elementsAreWellFormed = value.allElements { count += 1; return check($0) }
            return elementsAreWellFormed && count == value.itemCount && value.subtreeEnd == lastEnd(value)
        default:
            return value.subtreeEnd == value.index + 1
        }
    }

    /// Where the container's last child ends (its own node's end when it has none).
    private static func lastEnd(_ value: FlatJSON.Value) -> Int {
        var end = value.index + 1
        if value.kind == .object {
            _ = value.allMembers { _, member in end = member.subtreeEnd; return true }
        } else {
            _ = value.allElements { end = $0.subtreeEnd; return true }
        }
        return end
    }

    // MARK: - Generating hits

    static let segments = [
        "a", "b", "c", "user_data", "address", "city", "value", "event_name", "client_id", "items", "ip_override",
        "user_agent", "user_properties", "x-ga-unmapped", "x-ga-system_properties", "client_hints",
        "engagement_time_msec", "x-ga-measurement_id", "é", "e\u{301}", "K", "\u{212A}", "k0", "a b",
    ]
    static let plainNames = [
        "v", "en", "tid", "cid", "uid", "dl", "dr", "dt", "ul", "sr", "cu", "gtm", "_p", "_s", "sid", "sct", "seg",
        "gcs", "gcd", "dma", "dma_cps", "npa", "_et", "_ss", "_fv", "_dbg", "_nsi", "_ee", "uaa", "uab", "uafvl",
        "uam", "uamb", "uap", "uapv", "uaw", "_z", "tfd", "frm", "é", "\u{212A}", "K", "prx", "pr", "ep", "epn",
        "ep.", "up.", "epn.", "upn.",
    ]
    static let numbers = ["1", "0", "-4", "+5", "19.99", "1e3", "-0.5", "2", "99999999999999999999", "1E-2"]
    /// Values that make a 400 wherever they go.
    static let invalidValues = ["%zz", "%2", "100%"]
    static let values = [
        "", "1", "0", "?1", "-4", "+5", "19.99", "1e3", "-0.5", "abc", "12abc", "inf", "nan", "0x10", "2", "v2",
        "x y", "x+y", "a%20b", "%E9", "%C3%A9", "%FF%FE", "%2B1%20(650)", "Chromium;128|Not%3BA;24",
        "Chromium;128.0|Not%253BA%253DBrand;24.0.0.0|Google%20Chrome;128", "é", "\u{212A}", "a&b", "a=b=c",
        "99999999999999999999", "1.7976931348623157e309",
    ]
    static let itemFields = [
        "idSKU-1", "nmShirt", "brAcme", "caApparel", "c2Men", "vaBlue", "pr19.99", "qt2", "qtx", "pr", "ds5", "lp1",
        "cpSUMMER", "k0color", "v0blue", "k1size", "v1L", "k2", "v3only", "k3item_id", "v3custom", "k4k5", "v4x",
        "k5late", "zzunknown", "zz", "é1", "中文", "k9é", "v9\u{212A}", "id%7E", "nm%E9", "idSKU-2", "", "k0nm",
        "qt1", "pr5", "ds0.5", "lp3", "k1item_name", "v1shadowed", "c3Sub", "lo1", "pi9",
    ]
    /// Item fields that make a 400.
    static let invalidItemFields = ["x", "qtx", "pr", "ds1,5"]

    static func hit(_ random: inout SplitMix64) -> IncomingHit {
        var query = parameters(&random, count: random.below(14), required: random.below(10) != 0)
        if random.below(40) == 0 { query = "v=2&en=deep&ep." + (0..<33).map { "s\($0)" }.joined(separator: ".") + "=1" }
        guard random.below(3) == 0 else {
            let peer = random.below(4) == 0 ? nil : "203.0.113.9"
            let headers: [(name: String, value: String)] = random.below(4) == 0 ? [] : [("User-Agent", "UA/1")]
            return IncomingHit(method: "GET", path: "/g/collect", query: query, headers: headers, body: [], peerAddress: peer)
        }
        var body: [UInt8] = []
        for line in 0..<random.below(4) {
            if line > 0 { body += random.below(3) == 0 ? [0x0D, 0x0A] : [0x0A] }
            if random.below(6) == 0 { continue }  // a blank line
            body += Array(parameters(&random, count: random.below(8), required: random.below(3) == 0).utf8)
            if random.below(5) == 0 { body += [0xFF, UInt8(ascii: "="), 0xC3] }  // invalid UTF-8
            if random.below(5) == 0 { body += Array("&ep.raw=\u{FFFD}".utf8) + [0xE4, 0xB8] }
        }
        return IncomingHit(
            method: "POST", path: "/g/collect", query: query, headers: [("User-Agent", "UA/1")], body: body,
            peerAddress: "198.51.100.7")
    }

    static func parameters(_ random: inout SplitMix64, count: Int, required: Bool) -> String {
        var parts: [String] = []
        if required {
            parts.append(random.below(15) == 0 ? "v=1" : "v=2")
            parts.append(random.below(15) == 0 ? "en=" : "en=purchase")
        }
        for _ in 0..<count {
            let name = self.name(&random)
            if random.below(12) == 0 {
                parts.append(name)  // no `=`
                continue
            }
            let value: String
            if random.below(40) == 0 {
                value = random.pick(invalidValues)
            } else if name.hasPrefix("pr") && random.below(4) != 0 {
                value = item(&random)
            } else if (name.hasPrefix("epn") || name.hasPrefix("upn") || name == "_et") && random.below(6) != 0 {
                value = random.pick(numbers)
            } else {
                value = random.pick(values)
            }
            parts.append(name + "=" + value)
        }
        if random.below(4) == 0, let repeated = parts.randomElement(using: &random) { parts.append(repeated) }
        parts.shuffle(using: &random)
        if random.below(10) == 0 { parts.insert("", at: 0) }  // `&&`
        return parts.joined(separator: "&")
    }

    static func name(_ random: inout SplitMix64) -> String {
        switch random.below(10) {
        case 0, 1, 2: return random.pick(plainNames)
        case 3: return "pr" + random.pick(["1", "2", "3", "01", "10", "0", "99999999999999999999"])
        default:
            let prefix = random.pick(["ep.", "ep.", "ep.", "epn.", "up.", "upn.", "ep%2E", "e%70."])
            let path = (0...random.below(3)).map { _ in random.pick(segments) }.joined(separator: random.below(15) == 0 ? "%2E" : ".")
            // Now and then an empty part (a 400).
            return prefix + path + (random.below(40) == 0 ? random.pick([".", "..x", "%2E"]) : "")
        }
    }

    static func item(_ random: inout SplitMix64) -> String {
        var fields = (0...random.below(6)).map { _ in random.pick(itemFields) }
        if random.below(12) == 0 { fields.append(random.pick(invalidItemFields)) }
        if random.below(8) == 0 { fields.append("") }
        return fields.joined(separator: random.below(10) == 0 ? "%7E" : "~")
    }
}

