import HTTPTypes

/// Browsers may send hits with credentials (cookies such as `_epik`) only from the configured origins.
struct CORSPolicy: Sendable {
    let allowedOrigins: Set<String>

    init(origins: [String]) {
        self.allowedOrigins = Set(origins.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
    }

    /// Headers for a response to a request from `origin`; none when the origin is not allowed.
    func headers(origin: String?, preflight: Bool) -> HTTPFields {
        var fields = HTTPFields()
        guard let origin, allowedOrigins.contains("*") || allowedOrigins.contains(origin) else { return fields }
        fields[.accessControlAllowOrigin] = origin
        fields[.accessControlAllowCredentials] = "true"
        fields[.vary] = "Origin"
        if preflight {
            fields[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            fields[.accessControlAllowHeaders] = "Content-Type"
            fields[.accessControlMaxAge] = "86400"
        }
        return fields
    }
}
