import TagdJSON

/// The event fields that come from the request rather than from the page, shared by both clients so JSON beacons
/// and GA4 hits give tags the same `ip_override` / `user_agent`.
enum RequestFields {
    /// Sets `ip_override` and `user_agent` unless the event already carries them (a server-to-server sender may
    /// pass the real client's values on); `null` counts as absent.
    static func fill(_ event: inout [String: JSONValue], from request: RequestInfo) {
        if let ip = request.clientIP, event["ip_override"] == nil || event["ip_override"] == .null {
            event["ip_override"] = .string(ip)
        }
        if let agent = request.userAgent, event["user_agent"] == nil || event["user_agent"] == .null {
            event["user_agent"] = .string(agent)
        }
    }
}
