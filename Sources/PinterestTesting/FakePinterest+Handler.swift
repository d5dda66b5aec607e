import Hummingbird
import NIOCore
import PinterestCAPI
import TagdJSON

/// Routing and answering: what the fake does with one request.
extension FakePinterest {
    static let eventsRoute = "/v5/ad_accounts/:ad_account_id/events"

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.post(RouterPath(Self.eventsRoute)) { request, context in
            let body = try await request.body.collect(upTo: 64 << 20)
            return self.answer(request, body: Array(body.readableBytesView), adAccountID: context.parameters.get("ad_account_id") ?? "")
        }
        for method in [HTTPRequest.Method.get, .put, .patch, .delete] {
            router.on(RouterPath(Self.eventsRoute), method: method) { _, _ in
                Self.response(status: 405, headers: [:], body: Self.errorBody(code: 405, message: "Method not allowed."))
            }
        }
        return router
    }

    private func answer(_ request: Request, body rawBody: [UInt8], adAccountID: String) -> Response {
        var headers: [String: String] = [:]
        for field in request.headers {
            headers[field.name.canonicalName] = field.value
        }
        let body = try? JSONValue.parse(rawBody)
        let violations = body.map { validator.validateBody($0) } ?? []
        let events = body?["data"]?.arrayValue ?? []

        let canned = state.withLock { state in state.canned.isEmpty ? nil : state.canned.removeFirst() }
        let (status, answerHeaders, answerBody): (Int, [String: String], JSONValue?)
        if let canned {
            (status, answerHeaders, answerBody) = (canned.status, canned.headers, canned.makeBody(events))
        } else {
            (status, answerHeaders, answerBody) = Self.normalAnswer(
                adAccountID: adAccountID, headers: headers, body: body, violations: violations, events: events)
        }

        record(
            ReceivedRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                headers: headers, adAccountID: adAccountID, rawBody: rawBody, body: body,
                violations: violations, responseStatus: status))
        return Self.response(status: status, headers: answerHeaders, body: answerBody)
    }

    /// What Pinterest would say, in the order it would check.
    private static func normalAnswer(
        adAccountID: String, headers: [String: String], body: JSONValue?, violations: [ContractViolation], events: [JSONValue]
    ) -> (Int, [String: String], JSONValue?) {
        guard !adAccountID.isEmpty, adAccountID.utf8.count <= 18, adAccountID.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return (400, [:], errorBody(code: 1, message: "Invalid ad_account_id."))
        }
        guard let authorization = headers["authorization"], authorization.hasPrefix("Bearer "),
            authorization.count > "Bearer ".count
        else {
            return (401, [:], errorBody(code: 2, message: "Authentication failed."))
        }
        guard let contentType = headers["content-type"], contentType.lowercased().hasPrefix("application/json") else {
            return (400, [:], errorBody(code: 1, message: "Content-Type must be application/json."))
        }
        guard body != nil else {
            return (400, [:], errorBody(code: 1, message: "The request body is not JSON."))
        }
        guard violations.isEmpty else {
            let detail = violations.prefix(5).map(\.description).joined(separator: "; ")
            return (400, [:], errorBody(code: 4196, message: "The request was invalid: \(detail)"))
        }
        return (200, [:], conversionAPIResponse(events: events, failing: [:]))
    }

    private static func response(status: Int, headers: [String: String], body: JSONValue?) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers {
            if let fieldName = HTTPFields.Element.Name(name) { fields[fieldName] = value }
        }
        let bytes = body?.encoded() ?? []
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

// MARK: - Pinterest's answer bodies

extension FakePinterest {
    /// A `ConversionApiResponse`: one result per event, `failed` with its message at the given indices.
    public static func conversionAPIResponse(events: [JSONValue], failing: [Int: String]) -> JSONValue {
        let results: [JSONValue] = events.indices.map { index in
            if let message = failing[index] {
                return ["status": "failed", "error_message": .string(message), "warning_message": nil]
            }
            return ["status": "processed", "error_message": nil, "warning_message": nil]
        }
        return [
            "num_events_received": .int(Int64(events.count)),
            "num_events_processed": .int(Int64(events.count - failing.keys.filter { $0 < events.count }.count)),
            "events": .array(results),
        ]
    }

    /// Pinterest's `Error` body.
    public static func errorBody(code: Int64, message: String) -> JSONValue {
        ["code": .int(code), "message": .string(message)]
    }
}
