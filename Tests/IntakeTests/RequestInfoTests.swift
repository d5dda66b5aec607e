import Testing
@testable import Intake
import TagdJSON

@Suite("Request info")
struct RequestInfoTests {
    static let proxies = try! TrustedProxies(["10.0.0.0/8", "2001:db8::/32"])  // literal, known valid

    static func info(
        peer: String?, headers: [(name: String, value: String)], query: String = "", proxies: TrustedProxies = proxies
    ) -> RequestInfo {
        RequestInfo(hit: Fixture.hit("/collect", query: query, headers: headers, peer: peer), trustedProxies: proxies)
    }

    @Test("IPv4 peers come out as dotted quads, IPv4-mapped IPv6 ones too")
    func ipv4Text() {
        for (peer, expected) in [("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"), ("192.0.2.1", "192.0.2.1"),
                                 ("::ffff:198.51.100.7", "198.51.100.7"), ("::FFFF:10.0.0.1", "10.0.0.1")] {
            #expect(Self.info(peer: peer, headers: []).clientIP == expected)
        }
        // An untrusted IPv4 peer is passed on as written, which is right only because whatever IPv4 text parses
        // is already in canonical form (inet_pton refuses leading zeros, hex, short forms).
        for peer in ["010.0.0.1", "1.2.3", "1.2.3.4.5", "256.1.1.1", " 1.2.3.4", "0x7f.0.0.1", "1.02.3.4", "9.9.9.9"] {
            if let address = IPAddress(peer), case .v4 = address { #expect(address.text == peer) }
            #expect(Self.info(peer: peer, headers: [], proxies: .none).clientIP == peer)
        }
    }

    @Test("X-Forwarded-For from an untrusted peer is ignored")
    func untrustedPeer() {
        let info = Self.info(peer: "203.0.113.9", headers: [("X-Forwarded-For", "1.2.3.4")])
        #expect(info.clientIP == "203.0.113.9")
    }

    @Test("from a trusted peer the right-most untrusted entry is the client, not the forgeable left-most")
    func trustedPeer() {
        let info = Self.info(peer: "10.0.0.5", headers: [("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.3")])
        #expect(info.clientIP == "198.51.100.7")
    }

    @Test("repeated X-Forwarded-For headers are one list, in order")
    func repeatedHeaders() {
        let info = Self.info(peer: "10.0.0.5", headers: [("X-Forwarded-For", "198.51.100.7"), ("x-forwarded-for", "10.1.1.1")])
        #expect(info.clientIP == "198.51.100.7")
    }

    @Test("when every hop is trusted, the left-most is the client")
    func allTrusted() {
        #expect(Self.info(peer: "10.0.0.5", headers: [("X-Forwarded-For", "10.9.9.9, 10.0.0.3")]).clientIP == "10.9.9.9")
    }

    @Test("a garbage entry stops the walk at the nearest trusted hop")
    func garbageEntry() {
        let info = Self.info(peer: "10.0.0.5", headers: [("X-Forwarded-For", "198.51.100.7, unknown, 10.0.0.3")])
        #expect(info.clientIP == "10.0.0.3")
    }

    @Test("entries with ports, brackets or quotes are understood")
    func entriesWithPorts() {
        #expect(Self.info(peer: "10.0.0.5", headers: [("X-Forwarded-For", "198.51.100.7:5123")]).clientIP == "198.51.100.7")
        #expect(Self.info(peer: "10.0.0.5", headers: [("X-Forwarded-For", "\"[2a00:1450:4001::1]:443\"")]).clientIP == "2a00:1450:4001::1")
    }

    @Test("X-Real-IP is used only from a trusted peer and only without X-Forwarded-For")
    func realIP() {
        #expect(Self.info(peer: "10.0.0.5", headers: [("X-Real-IP", "198.51.100.7")]).clientIP == "198.51.100.7")
        #expect(Self.info(peer: "203.0.113.9", headers: [("X-Real-IP", "198.51.100.7")]).clientIP == "203.0.113.9")
        let both = Self.info(peer: "10.0.0.5", headers: [("X-Real-IP", "192.0.2.1"), ("X-Forwarded-For", "198.51.100.7")])
        #expect(both.clientIP == "198.51.100.7")
    }

    @Test("an IPv6 CIDR trusts its proxies and no others")
    func ipv6CIDR() {
        let trusted = Self.info(peer: "2001:db8:1::2", headers: [("X-Forwarded-For", "2A00:1450:4001:0:0:0:0:1")])
        #expect(trusted.clientIP == "2a00:1450:4001::1", "canonical lower-case compressed form")
        let outside = Self.info(peer: "2001:db9::1", headers: [("X-Forwarded-For", "2a00:1450:4001::1")])
        #expect(outside.clientIP == "2001:db9::1")
    }

    @Test("IPv4-mapped IPv6 is shown as IPv4, and matches IPv4 proxies")
    func mappedIPv4() {
        #expect(Self.info(peer: "::ffff:203.0.113.9", headers: []).clientIP == "203.0.113.9")
        let viaMappedProxy = Self.info(peer: "::ffff:10.1.2.3", headers: [("X-Forwarded-For", "::ffff:198.51.100.7")])
        #expect(viaMappedProxy.clientIP == "198.51.100.7")
    }

    @Test("no peer means no client IP; a peer that is no IP is passed on")
    func unusualPeers() {
        #expect(Self.info(peer: nil, headers: [("X-Forwarded-For", "1.2.3.4")]).clientIP == nil)
        #expect(Self.info(peer: "/run/tagd.sock", headers: []).clientIP == "/run/tagd.sock")
    }

    @Test("cookies: spaces, quotes, duplicates (first wins), junk, and several Cookie headers")
    func cookies() {
        let info = Self.info(peer: nil, headers: [
            ("Cookie", "_ga=GA1.1.123.456; _fbp = fb.1.2.3 ;name=\"quoted value\"; dup=first; dup=second;;novalue; =x; eq=a=b"),
            ("cookie", "late=1; dup=third; empty="),
        ])
        #expect(info.cookies == [
            "_ga": "GA1.1.123.456", "_fbp": "fb.1.2.3", "name": "quoted value", "dup": "first", "eq": "a=b",
            "late": "1", "empty": "",
        ])
    }

    @Test("headers: names lower-cased, repeats joined, Cookie joined with ; ")
    func headers() {
        let info = Self.info(peer: nil, headers: [
            ("Accept-Language", "en"), ("ACCEPT-language", "de"), ("Cookie", "a=1"), ("COOKIE", "b=2"), ("User-Agent", "UA"),
            ("Origin", "https://shop.example"),
        ])
        #expect(info.headers == ["accept-language": "en, de", "cookie": "a=1; b=2", "user-agent": "UA", "origin": "https://shop.example"])
        #expect(info.userAgent == "UA")
        #expect(info.origin == "https://shop.example")
    }

    @Test("header lookup on the hit ignores case")
    func headerLookup() {
        let hit = Fixture.hit("/collect", headers: [("Content-Type", "text/plain"), ("X-Forwarded-For", "a"), ("x-forwarded-for", "b")])
        #expect(hit.header("content-type") == "text/plain")
        #expect(hit.header("CONTENT-TYPE") == "text/plain")
        #expect(hit.header("content-typ") == nil)
        #expect(hit.headerValues("X-FORWARDED-FOR") == ["a", "b"])
    }

    @Test("query parameters: decoded, + as space, first value wins, bad escapes kept literally")
    func queryParameters() {
        let info = Self.info(peer: nil, headers: [], query: "q=red+shoes&q=blue&t=caf%C3%A9&flag&bad=50%+off&&=empty")
        #expect(info.queryParameters == ["q": "red shoes", "t": "café", "flag": "", "bad": "50% off", "": "empty"])
    }

    @Test("the JSON form carries every field, null for what is missing")
    func json() {
        let info = Self.info(peer: "203.0.113.9", headers: [("User-Agent", "UA"), ("Cookie", "a=1")], query: "x=1")
        #expect(info.asJSON() == [
            "ip": "203.0.113.9", "user_agent": "UA", "cookies": ["a": "1"],
            "headers": ["user-agent": "UA", "cookie": "a=1"], "query": ["x": "1"],
            "method": "GET", "path": "/collect", "origin": nil,
        ])
    }
}
