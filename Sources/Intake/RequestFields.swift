import TagdJSON

/// The event fields that come from the request rather than from the page, shared by both clients so JSON beacons
/// and GA4 hits give tags the same `ip_override` / `user_agent`.
///
/// It holds only the two values, so a hit whose tags never read the request is not charged for the rest of
/// ``RequestInfo`` (every header and cookie in dictionaries).
struct RequestFields: Sendable {
    let clientIP: String?
    let userAgent: String?

    init(_ request: RequestInfo) {
        clientIP = request.clientIP
        userAgent = request.userAgent
    }

    /// The same values ``RequestInfo/init(hit:trustedProxies:)`` works out.
    init(hit: borrowing IncomingHit, trustedProxies: TrustedProxies) {
        clientIP = RequestInfo.clientIP(of: hit, trustedProxies: trustedProxies)
        userAgent = RequestInfo.joinedHeader("user-agent", of: hit)
    }

    /// Sets `ip_override` and `user_agent` unless the event already carries them (a server-to-server sender may
    /// pass the real client's values on); `null` counts as absent.
    func fill(_ event: inout FlatJSON) {
        if let ip = clientIP { event.fillRootMember("ip_override", with: ip) }
        if let agent = userAgent { event.fillRootMember("user_agent", with: agent) }
    }
}
