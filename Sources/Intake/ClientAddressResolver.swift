/// Works out the client's IP from the TCP peer and, only when the peer is a trusted proxy, its forwarding headers.
///
/// `X-Forwarded-For` is read from the right: each proxy appends the address it received the request from, so the
/// right-most entries were written by our own proxies and everything left of the first untrusted entry could have
/// been typed by the client. Taking the left-most entry (a common mistake) lets any client choose its IP.
///
/// The forwarding headers are read only when the peer is trusted (autoclosures): most hits come straight from
/// the client and would pay for an array of values nobody reads.
enum ClientAddressResolver {
    static func resolve(
        peerAddress: String?,
        forwardedFor: @autoclosure () -> [String],
        realIP: @autoclosure () -> String?,
        trustedProxies: TrustedProxies
    ) -> String? {
        guard let peerText = peerAddress else { return nil }
        // No proxy trusted and no IPv6 spelling to make canonical: the peer's text is the answer, whether it
        // parses or not (what the lines below give too), without parsing it per hit.
        if trustedProxies.isEmpty, !containsColon(peerText) { return peerText }
        return resolveParsing(peerText, forwardedFor: forwardedFor(), realIP: realIP(), trustedProxies: trustedProxies)
    }

    /// `resolve` without its shortcut for an untrusted IPv4 peer (internal for the test that compares both).
    static func resolveParsing(
        _ peerText: String,
        forwardedFor: @autoclosure () -> [String],
        realIP: @autoclosure () -> String?,
        trustedProxies: TrustedProxies
    ) -> String? {
        guard let peer = IPAddress(peerText) else { return peerText }  // e.g. a Unix socket path: pass it on as is
        guard trustedProxies.contains(peer) else {
            // Dotted decimal that inet_pton accepted is already canonical (it refuses leading zeros): no need to
            // spell it again.
            return peerText.utf8.contains(UInt8(ascii: ":")) ? peer.text : peerText
        }

        let entries = forwardedFor().flatMap { $0.split(separator: ",") }.filter { !$0.trimmingASCIIWhitespace().isEmpty }
        if entries.isEmpty {
            if let realIP = realIP(), let address = IPAddress(forwardedEntry: realIP) { return address.text }
            return peer.text
        }
        var nearestHop = peer
        for entry in entries.reversed() {
            // An entry that is not an address (`unknown`, garbage) ends the trusted chain: the nearest hop we could
            // still vouch for is the best answer.
            guard let address = IPAddress(forwardedEntry: entry) else { return nearestHop.text }
            if !trustedProxies.contains(address) { return address.text }
            nearestHop = address
        }
        return nearestHop.text  // every hop was one of ours: the left-most is the client
    }

    /// Whether `text` has a `:` (an IPv6 spelling), on its bytes in place: `utf8.contains` walks the view a
    /// byte at a time through its index type, ~300 instructions for an IPv4 address.
    static func containsColon(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { $0.contains(UInt8(ascii: ":")) } ?? text.utf8.contains(UInt8(ascii: ":"))
    }
}
