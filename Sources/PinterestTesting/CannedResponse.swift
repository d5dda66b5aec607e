import TagdJSON

/// An answer scripted for one of the next requests, whatever the request holds.
public struct CannedResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    /// Builds the body from the request's events (so a per-event answer can match their number).
    public var makeBody: @Sendable (_ events: [JSONValue]) -> JSONValue?

    public init(status: Int, headers: [String: String] = [:], makeBody: @escaping @Sendable (_ events: [JSONValue]) -> JSONValue?) {
        self.status = status
        self.headers = headers
        self.makeBody = makeBody
    }

    public init(status: Int, headers: [String: String] = [:], body: JSONValue?) {
        self.init(status: status, headers: headers, makeBody: { _ in body })
    }

    /// 200, every event processed (what the fake answers anyway to a valid request).
    public static let allProcessed = CannedResponse(status: 200) { events in
        FakePinterest.conversionAPIResponse(events: events, failing: [:])
    }

    /// 429 with Pinterest's rate-limit error and, if given, `Retry-After` in seconds.
    public static func rateLimited(retryAfterSeconds: Int? = nil) -> CannedResponse {
        CannedResponse(
            status: 429,
            headers: retryAfterSeconds.map { ["Retry-After": String($0)] } ?? [:],
            body: FakePinterest.errorBody(code: 8, message: "This request exceeded a rate limit."))
    }

    /// A 5xx with an `Error` body.
    public static func serverError(status: Int = 500) -> CannedResponse {
        CannedResponse(status: status, body: FakePinterest.errorBody(code: 4197, message: "Internal error."))
    }

    /// Any status with Pinterest's `Error` body (`{"code": ..., "message": ...}`).
    public static func error(status: Int, code: Int64, message: String) -> CannedResponse {
        CannedResponse(status: status, body: FakePinterest.errorBody(code: code, message: message))
    }

    /// 401 as Pinterest sends it for a bad token.
    public static let unauthorized = CannedResponse.error(status: 401, code: 2, message: "Authentication failed.")

    /// 422 with per-event results: the events at `failing` failed with the given message, the rest processed.
    public static func partialFailure(failing: [Int: String]) -> CannedResponse {
        CannedResponse(status: 422) { events in
            FakePinterest.conversionAPIResponse(events: events, failing: failing)
        }
    }
}
