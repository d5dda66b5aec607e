/// The proxies (load balancers, CDNs) in front of tagd. Only their forwarding headers are believed: anyone else can
/// put any address in `X-Forwarded-For`, so trusting it from an arbitrary peer would let clients forge `ip_override`.
public struct TrustedProxies: Sendable {
    private let networks: [Network]

    /// No proxy is trusted: the client IP is always the TCP peer.
    public static let none = TrustedProxies(networks: [])

    /// Parses addresses and CIDR blocks, IPv4 or IPv6, e.g. `["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"]`.
    /// Host bits below the prefix are ignored (`10.1.2.3/8` means `10.0.0.0/8`).
    public init(_ entries: [String]) throws(InvalidTrustedProxyError) {
        var networks: [Network] = []
        for entry in entries {
            guard let network = Network(entry) else { throw InvalidTrustedProxyError(entry: entry) }
            networks.append(network)
        }
        self.networks = networks
    }

    private init(networks: [Network]) { self.networks = networks }

    /// Whether `ip` (any textual form, IPv4-mapped IPv6 included) lies in one of the trusted networks.
    public func contains(_ ip: String) -> Bool {
        guard let address = IPAddress(ip) else { return false }
        return contains(address)
    }

    func contains(_ address: IPAddress) -> Bool {
        networks.contains { $0.contains(address) }
    }

    public var isEmpty: Bool { networks.isEmpty }

    /// An address and prefix length, kept as masked integers so a membership test is two ANDs and compares.
    private struct Network: Sendable {
        let base: IPAddress
        let prefixLength: Int

        init?(_ text: String) {
            let trimmed = Substring(text).trimmingASCIIWhitespace()
            let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = parts.first.flatMap({ IPAddress($0) }) else { return nil }
            let maximum: Int
            switch address {
            case .v4: maximum = 32
            case .v6: maximum = 128
            }
            var length = maximum
            if parts.count == 2 {
                guard let parsed = Int(parts[1]), (0...maximum).contains(parsed), parts[1].allSatisfy(\.isASCII) else {
                    return nil
                }
                length = parsed
            }
            // `::ffff:10.0.0.0/104` is written in IPv6 terms but IPAddress already made it IPv4.
            if case .v4 = address, maximum == 32, trimmed.contains(":"), parts.count == 2 {
                guard length >= 96 else { return nil }
                length -= 96
            }
            self.prefixLength = length
            self.base = Network.masked(address, length)
        }

        func contains(_ address: IPAddress) -> Bool {
            Network.sameFamily(address, base) && Network.masked(address, prefixLength) == base
        }

        private static func sameFamily(_ a: IPAddress, _ b: IPAddress) -> Bool {
            switch (a, b) {
            case (.v4, .v4), (.v6, .v6): true
            default: false
            }
        }

        private static func masked(_ address: IPAddress, _ length: Int) -> IPAddress {
            switch address {
            case .v4(let value):
                let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
                return .v4(value & mask)
            case .v6(let high, let low):
                let highMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
                let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
                return .v6(high & highMask, low & lowMask)
            }
        }
    }
}
