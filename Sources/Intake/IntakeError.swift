import TagdJSON

/// Why a hit was refused. Each case maps to one HTTP status, and the message says exactly what to fix, because the
/// person reading it is usually a site owner debugging their tagging.
public enum IntakeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The request could not be understood; the string says where and why.
    case malformed(String)
    /// The body is longer than `limit` bytes.
    case bodyTooLarge(limit: Int)
    /// The HTTP method (e.g. `PUT`) is not one the endpoint accepts.
    case methodNotAllowed(String)
    /// The `Content-Type` (as sent) is not one the endpoint accepts.
    case unsupportedMediaType(String)

    public var httpStatus: Int {
        switch self {
        case .malformed: 400
        case .bodyTooLarge: 413
        case .methodNotAllowed: 405
        case .unsupportedMediaType: 415
        }
    }

    /// A stable machine-readable code for the `error` member of the response body.
    public var code: String {
        switch self {
        case .malformed: "malformed_request"
        case .bodyTooLarge: "body_too_large"
        case .methodNotAllowed: "method_not_allowed"
        case .unsupportedMediaType: "unsupported_media_type"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let detail): detail
        case .bodyTooLarge(let limit): "request body is larger than the limit of \(limit) bytes"
        case .methodNotAllowed(let method): "method \(method) is not allowed on this endpoint"
        case .unsupportedMediaType(let type): "content type \"\(type)\" is not supported; send application/json or text/plain"
        }
    }

    /// The response body: `{"error": code, "detail": description}`.
    public var responseBody: JSONValue {
        .object(["error": .string(code), "detail": .string(description)])
    }
}
