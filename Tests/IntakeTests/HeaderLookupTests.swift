import TestRandom
import Testing
@testable import Intake

/// The header lookups and the client-address shortcut that skip copies on the per-hit path, each compared with
/// the straightforward way over generated inputs.
@Suite("Header lookups")
struct HeaderLookupTests {

    static let names = ["Cookie", "cookie", "COOKIE", "Origin", "origin", "X-Forwarded-For", "x-forwarded-for",
                        "User-Agent", "user-agent", "Content-Type", "X-Real-IP", "Cookiè", "cookie2", "", "Ünïcode-Näme"]
    static let values = ["", "a", "b=1; c=2", "application/json", "203.0.113.9, 10.0.0.1",
                         "Mozilla/5.0 (X11; Linux x86_64) a long enough value to live on the heap", "ünïcode"]

    static func randomHeaders(_ generator: inout SplitMix64) -> [(name: String, value: String)] {
        (0..<generator.below(7)).map { _ in (generator.pick(names), generator.pick(values)) }
    }

    @Test("header, headerValues and joinedHeader agree with a filter over lower-cased names")
    func lookupsMatchReference() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<3_000 {
            let headers = Self.randomHeaders(&generator)
            let hit = IncomingHit(method: "POST", path: "/collect", headers: headers)
            for name in Self.names + ["COOKIE", "x-FORWARDED-for", "nope"] {
                // ASCII case folding only: "Cookiè" never matches "cookie", "Ünïcode-Näme" matches itself only.
                let expected = headers.filter { Self.foldASCII($0.name) == Self.foldASCII(name) }.map(\.value)
                #expect(hit.headerValues(name) == expected)
                #expect(hit.header(name) == expected.first)
                #expect(hit.joinedHeader(name, separator: "; ") == (expected.isEmpty ? nil : expected.joined(separator: "; ")))
            }
        }
    }

    @Test("Fields and pairs are the same headers, either way they are given or read")
    func fieldsAndPairsAgree() {
        var generator = SplitMix64(seed: 5)
        for _ in 0..<500 {
            let pairs = Self.randomHeaders(&generator)
            let fields = pairs.map { IncomingHit.Field(name: $0.name, value: $0.value) }
            var fromPairs = IncomingHit(method: "POST", path: "/collect", headers: pairs)
            let fromFields = IncomingHit(method: "POST", path: "/collect", fields: fields)
            #expect(fromPairs.fields == fromFields.fields)
            #expect(fromFields.headers.map(\.name) == pairs.map(\.name))
            #expect(fromFields.headers.map(\.value) == pairs.map(\.value))
            fromPairs.headers = Array(pairs.reversed())
            #expect(fromPairs.fields == fields.reversed())
        }
    }

    @Test("asciiCaseInsensitiveEquals folds ASCII letters only, on small and heap strings")
    func caseInsensitiveEquals() {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("aAzZ-_09ÿé[`@{") + ["\u{0}"]
        for _ in 0..<5_000 {
            let a = String((0..<generator.below(24)).map { _ in generator.pick(alphabet) })
            var b = String(a.map { c in generator.below(2) == 0 ? Character(c.uppercased()) : Character(c.lowercased()) })
            if generator.below(4) == 0, !b.isEmpty { b.removeLast() }
            if generator.below(4) == 0 { b.append(generator.pick(alphabet)) }
            #expect(asciiCaseInsensitiveEquals(a, b) == (Self.foldASCII(a) == Self.foldASCII(b)), "\(a) vs \(b)")
        }
    }

    @Test("An untrusted IPv4 peer's shortcut gives what parsing it gives")
    func peerShortcut() {
        var generator = SplitMix64(seed: 99)
        let parts = ["1", "02", "255", "256", "0x7f", "", " ", "9", "%eth0", ".", "a", "10"]
        var peers = ["127.0.0.1", "0.0.0.0", "1.2.3", "1.2.3.4.5", "010.0.0.1", " 1.2.3.4", "/var/run/tagd.sock", "",
                     "1.2.3.4%eth0", "::1", "::ffff:10.0.0.1", "fe80::1%eth0", "2001:DB8::1"]
        for _ in 0..<2_000 {
            peers.append((0..<generator.below(6)).map { _ in generator.pick(parts) }.joined(separator: generator.pick([".", ".", ":"])))
        }
        for peer in peers {
            let fast = ClientAddressResolver.resolve(
                peerAddress: peer, forwardedFor: ["198.51.100.7"], realIP: "198.51.100.8", trustedProxies: .none)
            let parsed = ClientAddressResolver.resolveParsing(
                peer, forwardedFor: ["198.51.100.7"], realIP: "198.51.100.8", trustedProxies: .none)
            #expect(fast == parsed, "peer \(peer)")
        }
    }

    @Test("A header repeated a thousand times joins in order, with its own separator")
    func repeatedHeaderJoins() {
        let origins = (0..<1_000).map { "https://site-\($0).example" }
        let headers = origins.map { (name: "Origin", value: $0) } + [(name: "Cookie", value: "a=1"), (name: "cookie", value: "b=2")]
        let hit = IncomingHit(method: "POST", path: "/collect", headers: headers)
        #expect(hit.joinedHeader("origin", separator: ", ") == origins.joined(separator: ", "))
        let info = RequestInfo(hit: hit, trustedProxies: .none)
        #expect(info.headers["origin"] == origins.joined(separator: ", "))
        #expect(info.headers["cookie"] == "a=1; b=2")
    }

    @Test("Peers the shortcut leaves to parsing come out in canonical form")
    func parsedPeers() {
        for (peer, expected) in [("::ffff:10.0.0.1", "10.0.0.1"), ("2001:DB8::1", "2001:db8::1"), ("::1", "::1")] {
            #expect(ClientAddressResolver.resolve(peerAddress: peer, forwardedFor: [], realIP: nil, trustedProxies: .none) == expected)
        }
    }

    static func foldASCII(_ s: String) -> [UInt8] {
        s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
    }
}
