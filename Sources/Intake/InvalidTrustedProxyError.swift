/// A trusted-proxy entry that is neither an IP address nor a CIDR block; raised at start-up so a typo in the
/// configuration fails loudly instead of silently trusting nobody.
public struct InvalidTrustedProxyError: Error, CustomStringConvertible, Sendable, Equatable {
    public let entry: String

    public init(entry: String) { self.entry = entry }
    public var description: String { "trusted proxy \"\(entry)\" is not an IP address or CIDR block (e.g. 10.0.0.0/8)" }
}
