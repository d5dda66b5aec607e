import TagdJSON

/// One tag test: input hits, and what must happen. Written as JSON by the people who write tags:
///
/// ```json
/// { "name": "purchase goes to Pinterest",
///   "now": 1767225600,
///   "env": { "PINTEREST_AD_ACCOUNT_ID": "549755885175", "PINTEREST_TOKEN": "test-token" },
///   "hits": [ { "event": { "event_name": "purchase", ... }, "request": { "ip": "203.0.113.7" } },
///             { "ga4": "/g/collect?v=2&en=page_view&...", "body": "...", "headers": { "user-agent": "..." }, "ip": "..." },
///             { "collect": { "event_name": "generate_lead", ... } } ],
///   "expect": { "fired": ["tags/shop_pinterest.lua"],
///               "sent": [ { "tag": "tags/shop_pinterest.lua", "ad_account_id": "549755885175", "test": false,
///                           "token": "test-token", "event": { ...exact body of the event... } } ],
///               "cookies": ["_epik=...; Max-Age=31536000; Path=/; Secure; SameSite=Lax"] } }
/// ```
/// `"sent": []` states that nothing is sent. Keys of `expect` that are absent are not checked.
public struct TagTestCase: Sendable {
    public let file: String
    public let name: String
    public let now: Double
    public let environment: [String: String]
    public let hits: [JSONValue]
    public let expect: JSONValue

    public init(file: String, json: JSONValue) throws(TagTestFormatError) {
        guard case .object(let root) = json else { throw TagTestFormatError(file: file, message: "a test must be a JSON object") }
        let known: Set<String> = ["name", "now", "env", "hits", "expect"]
        if let unknown = root.keys.sorted().first(where: { !known.contains($0) }) {
            throw TagTestFormatError(file: file, message: "unknown key '\(unknown)' (expected name, now, env, hits, expect)")
        }
        self.file = file
        self.name = root["name"]?.stringValue ?? file
        self.now = root["now"]?.numberValue ?? 1_767_225_600
        var environment: [String: String] = [:]
        for (key, value) in root["env"]?.objectValue ?? [:] {
            guard let string = value.stringValue else {
                throw TagTestFormatError(file: file, message: "env.\(key) must be a string")
            }
            environment[key] = string
        }
        self.environment = environment
        guard let hits = root["hits"]?.arrayValue, !hits.isEmpty else {
            throw TagTestFormatError(file: file, message: "'hits' must be a non-empty list")
        }
        self.hits = hits
        guard case .object? = root["expect"] else {
            throw TagTestFormatError(file: file, message: "'expect' must be an object")
        }
        self.expect = root["expect"] ?? [:]
    }
}

public struct TagTestFormatError: Error, CustomStringConvertible {
    public let file: String
    public let message: String
    public var description: String { "\(file): \(message)" }
}
