import TagdJSON

extension RequestInfo {
    /// The request as tags see it: `{"ip", "user_agent", "cookies", "headers", "query", "method",
    /// "path", "origin"}`, with `null` for what the request did not carry.
    public func asJSON() -> JSONValue {
        .object([
            "ip": clientIP.map(JSONValue.string) ?? .null,
            "user_agent": userAgent.map(JSONValue.string) ?? .null,
            "cookies": .object(cookies.mapValues(JSONValue.string)),
            "headers": .object(headers.mapValues(JSONValue.string)),
            "query": .object(queryParameters.mapValues(JSONValue.string)),
            "method": .string(method),
            "path": .string(path),
            "origin": origin.map(JSONValue.string) ?? .null,
        ])
    }
}
