/// Settings shared by every intake client, set once at start-up.
public struct IntakeConfiguration: Sendable {
    /// Largest request body accepted, in bytes; larger bodies are refused with 413 before any parsing.
    public var bodyLimit: Int
    /// Peers whose `X-Forwarded-For` / `X-Real-IP` are believed when working out the client's IP.
    public var trustedProxies: TrustedProxies

    /// 256 KiB: far above a real gtag.js batch (about 16 KiB at most) yet small enough that a flood of large
    /// bodies cannot exhaust memory.
    public static let defaultBodyLimit = 256 * 1024

    public init(bodyLimit: Int = IntakeConfiguration.defaultBodyLimit, trustedProxies: TrustedProxies = .none) {
        self.bodyLimit = bodyLimit
        self.trustedProxies = trustedProxies
    }
}
