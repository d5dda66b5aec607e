import PinterestCAPI
import TagdJSON

/// One request the fake received, as the test needs to inspect it.
public struct ReceivedRequest: Sendable {
    public let method: String
    public let path: String
    /// The raw query string (`test=true`), nil when the URL has none.
    public let query: String?
    /// Header values by lowercased name (the last value when a header repeats).
    public let headers: [String: String]
    /// The ad account from the path.
    public let adAccountID: String
    public let rawBody: [UInt8]
    /// The body parsed as JSON, nil when it is not JSON.
    public let body: JSONValue?
    /// How the body breaks the `ConversionEvents` schema (empty when valid or not JSON).
    public let violations: [ContractViolation]
    /// The status code the fake answered with.
    public let responseStatus: Int

    /// The body is JSON and valid against `ConversionEvents`.
    public var isSchemaValid: Bool { body != nil && violations.isEmpty }
    /// The events of the body's `data` array.
    public var events: [JSONValue] { body?["data"]?.arrayValue ?? [] }
    /// The request carries `test=true` in its query.
    public var isTestMode: Bool {
        query?.split(separator: "&").contains("test=true") ?? false
    }
}
