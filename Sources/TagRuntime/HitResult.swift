import TagdJSON

/// What running every tag on one event did.
public struct HitResult: Sendable {
    public var tagRuns: [TagRun] = []
    /// Cookies tags asked to set on the response (e.g. `_epik`).
    public var cookies: [ResponseCookie] = []

    public init() {}

    public var failedTags: [TagRun] { tagRuns.filter { $0.error != nil } }
}

/// One tag's part in a hit.
public struct TagRun: Sendable {
    public let tag: String
    public let file: String
    public var fired: Bool
    /// What the tag's `fire` returned, for logs and tools.
    public var outcome: String?
    /// The error with file and line when the trigger or the tag failed.
    public var error: String?
    public var logs: [TagLogLine]
    /// Conversions this tag handed to Pinterest, with the outcome of each.
    public var conversions: [SubmittedConversion]

    public var status: TagRunStatus {
        if error != nil { return .failed }
        return fired ? .fired : .skipped
    }
}

public enum TagRunStatus: String, Sendable {
    case fired, skipped, failed
}

public struct TagLogLine: Sendable, Equatable {
    public let level: String
    public let message: String

    public init(level: String, message: String) {
        self.level = level
        self.message = message
    }
}

/// An event a tag passed to `pinterest.send`, as it went to the sender (user data hashed).
public struct SubmittedConversion: Sendable {
    public let adAccountID: String
    public let testMode: Bool
    /// The conversion token the tag used, so tag tests can pin it. Never logged.
    public let token: String
    public let dryRun: Bool
    /// The event as the script's table was read (a flat document: a hit keeps one per send, and only reports
    /// and tests look at it, so it is made into a tree only when asked).
    let flatEvent: FlatJSON
    /// `queued`, `duplicate`, `dry_run`, or the error returned to the script.
    public let outcome: String

    public var event: JSONValue { flatEvent.jsonValue }
}

/// A `Set-Cookie` a tag asked for.
public struct ResponseCookie: Sendable, Equatable {
    public var name: String
    public var value: String
    public var maxAge: Int?
    public var path: String?
    public var domain: String?
    public var secure: Bool
    public var httpOnly: Bool
    public var sameSite: String?

    /// The `Set-Cookie` header value.
    public var headerValue: String {
        var parts = ["\(name)=\(value)"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if let path { parts.append("Path=\(path)") }
        if let domain { parts.append("Domain=\(domain)") }
        if secure { parts.append("Secure") }
        if httpOnly { parts.append("HttpOnly") }
        if let sameSite { parts.append("SameSite=\(sameSite)") }
        return parts.joined(separator: "; ")
    }
}
