import Intake
import Testing

@Suite("Trusted proxies")
struct TrustedProxiesTests {
    @Test("addresses and CIDR blocks, IPv4 and IPv6")
    func membership() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "fd00::1", "172.16.5.9/12"])
        #expect(proxies.contains("10.255.0.1"))
        #expect(!proxies.contains("11.0.0.1"))
        #expect(proxies.contains("192.168.1.7"))
        #expect(!proxies.contains("192.168.1.8"))
        #expect(proxies.contains("2001:db8:ffff::1"))
        #expect(!proxies.contains("2001:db9::"))
        #expect(proxies.contains("FD00:0::1"))
        #expect(!proxies.contains("fd00::2"))
        #expect(proxies.contains("172.31.255.255"), "host bits of 172.16.5.9/12 are ignored")
        #expect(!proxies.contains("172.32.0.0"))
        #expect(proxies.contains("::ffff:10.1.1.1"), "IPv4-mapped IPv6 matches an IPv4 block")
        #expect(!proxies.contains("not an ip"))
    }

    @Test("prefix lengths at the edges")
    func edgePrefixes() throws {
        let everything = try TrustedProxies(["0.0.0.0/0", "::/0"])
        #expect(everything.contains("8.8.8.8"))
        #expect(everything.contains("2a00::1"))
        let one = try TrustedProxies(["2001:db8::1/128", "2001:db8:0:1::/64", "2001:db8:0:2::/65"])
        #expect(one.contains("2001:db8::1"))
        #expect(!one.contains("2001:db8::2"))
        #expect(one.contains("2001:db8:0:1:ffff::"))
        #expect(one.contains("2001:db8:0:2:7fff::"))
        #expect(!one.contains("2001:db8:0:2:8000::"))
    }

    @Test("a mistyped entry fails at start-up", arguments: ["10.0.0.0/33", "::/129", "nonsense", "10.0.0/8", "10.0.0.0/", "10.0.0.0/-1", ""])
    func invalid(entry: String) {
        #expect(throws: InvalidTrustedProxyError(entry: entry)) { try TrustedProxies([entry]) }
    }

    @Test("none trusts nobody")
    func none() {
        #expect(!TrustedProxies.none.contains("127.0.0.1"))
        #expect(TrustedProxies.none.isEmpty)
    }
}
