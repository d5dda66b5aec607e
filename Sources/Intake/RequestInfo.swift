/// What tags may read about the request behind an event (server-side GTM's `getRequestHeader`, `getCookieValues`,
/// `getRemoteAddress`...), worked out once per hit rather than by every tag.
public struct RequestInfo: Sendable, Equatable {
    /// The client's IP: the TCP peer, or, when the peer is a trusted proxy, the right-most untrusted address in
    /// `X-Forwarded-For` (or `X-Real-IP` when there is no `X-Forwarded-For`). IPv4-mapped IPv6 is shown as IPv4.
    public var clientIP: String?
    public var userAgent: String?
    /// Cookies by name; the first of duplicates wins; surrounding quotes removed.
    public var cookies: [String: String]
    /// Header values by lower-cased name; repeated headers joined by `, ` (`Cookie` by `; `, as HTTP/2 requires).
    public var headers: [String: String]
    /// Query parameters, percent-decoded with `+` as space; the first value of a repeated name wins. Invalid escapes
    /// are kept literally here (the GA4 client rejects them itself).
    public var queryParameters: [String: String]
    public var method: String
    public var path: String
    /// The `Origin` header, for CORS decisions and for tags that log where a beacon came from.
    public var origin: String?

    public init(
        clientIP: String?, userAgent: String?, cookies: [String: String], headers: [String: String],
        queryParameters: [String: String], method: String, path: String, origin: String?
    ) {
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.cookies = cookies
        self.headers = headers
        self.queryParameters = queryParameters
        self.method = method
        self.path = path
        self.origin = origin
    }

    public init(hit: IncomingHit, trustedProxies: TrustedProxies) {
        self.init(hit: hit, query: FormParameters(parsing: hit.query), trustedProxies: trustedProxies)
    }

    /// Takes an already parsed query so the GA4 client and this share one parse.
    init(hit: IncomingHit, query: FormParameters, trustedProxies: TrustedProxies) {
        var headers: [String: String] = [:]
        headers.reserveCapacity(hit.fields.count)
        for field in hit.fields {
            let name = field.name, value = field.value
            let key = name.lowercased()
            if headers[key] == nil {
                headers[key] = value
            } else {
                headers[key]?.append(Self.separator(key))  // in place: a repeated header stays linear
                headers[key]?.append(value)
            }
        }
        self.init(
            clientIP: Self.clientIP(of: hit, trustedProxies: trustedProxies),
            userAgent: headers["user-agent"],
            cookies: CookieHeader.parse(hit.headerValues("cookie")),
            headers: headers,
            queryParameters: query.values,
            method: hit.method,
            path: hit.path,
            origin: headers["origin"]
        )
    }

    static func clientIP(of hit: IncomingHit, trustedProxies: TrustedProxies) -> String? {
        ClientAddressResolver.resolve(
            peerAddress: hit.peerAddress,
            forwardedFor: hit.headerValues("x-forwarded-for"),
            realIP: joinedHeader("x-real-ip", of: hit),
            trustedProxies: trustedProxies
        )
    }

    /// One header as `headers` holds it (repeats joined), without building the dictionary. `name` is lower case.
    static func joinedHeader(_ name: String, of hit: IncomingHit) -> String? {
        hit.joinedHeader(name, separator: separator(name))
    }

    private static func separator(_ name: String) -> String {
        name == "cookie" ? "; " : ", "
    }
}
