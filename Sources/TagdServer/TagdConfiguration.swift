import Foundation

/// Everything `tagd serve` can be told. Defaults let it start with no configuration at all;
/// a JSON file (`--config`, or `tagd.json` when present) overrides them, and `TAGD_*` environment
/// variables override the file. The README lists every key.
public struct TagdConfiguration: Sendable, Codable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var tagsFolder = "tags"
    public var templatesFolder = "templates"
    public var pinterestBaseURL = "https://api.pinterest.com"
    /// Origins allowed to send hits from a browser with credentials (`*` allows any origin).
    public var corsOrigins: [String] = []
    /// Peers whose `X-Forwarded-For` is believed: IPs or CIDRs.
    public var trustedProxies: [String] = []
    public var maxBodyBytes = 256 * 1024
    /// Answer GET hits with a 1x1 GIF instead of 204 (for `<img>` beacons).
    public var gifForGet = false
    /// Answer hits on the event loop that read them (no task, no thread hop); off = through the router.
    public var hitsOnEventLoop = true
    /// Environment variables tags may read with `env.get`.
    public var tagEnvironment: [String] = ["PINTEREST_AD_ACCOUNT_ID", "PINTEREST_TOKEN", "PINTEREST_TEST_MODE"]
    /// Lua VMs (one hit each at a time); 0 = one per core.
    public var luaVMs = 0
    public var luaInstructionLimit = 10_000_000
    public var luaTimeLimitMilliseconds = 1_000
    public var luaMemoryLimitBytes = 64 * 1024 * 1024
    /// Pinterest batching and retry.
    public var batchIntervalMilliseconds = 1_000
    public var maxAttempts = 8
    public var duplicateWindowHours = 48.0
    /// How long shutdown waits to deliver what is queued.
    public var shutdownFlushSeconds = 10.0
    /// Reload tags when their files change (SIGHUP and `POST /admin/reload` always work).
    public var watchTags = true
    /// Token for `/admin/*`; the admin endpoints are off when it is empty.
    public var adminToken = ""
    public var logLevel = "info"

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port
        case tagsFolder = "tags_folder"
        case templatesFolder = "templates_folder"
        case pinterestBaseURL = "pinterest_base_url"
        case corsOrigins = "cors_origins"
        case trustedProxies = "trusted_proxies"
        case maxBodyBytes = "max_body_bytes"
        case gifForGet = "gif_for_get"
        case hitsOnEventLoop = "hits_on_event_loop"
        case tagEnvironment = "tag_environment"
        case luaVMs = "lua_vms"
        case luaInstructionLimit = "lua_instruction_limit"
        case luaTimeLimitMilliseconds = "lua_time_limit_ms"
        case luaMemoryLimitBytes = "lua_memory_limit_bytes"
        case batchIntervalMilliseconds = "batch_interval_ms"
        case maxAttempts = "max_attempts"
        case duplicateWindowHours = "duplicate_window_hours"
        case shutdownFlushSeconds = "shutdown_flush_seconds"
        case watchTags = "watch_tags"
        case adminToken = "admin_token"
        case logLevel = "log_level"
    }

    /// Missing keys keep their defaults; an unknown key is an error, so a typo never goes unnoticed.
    public init(from decoder: any Decoder) throws {
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        let any = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = any.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw ConfigurationError.unknownKey(unknown.stringValue)
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var d = TagdConfiguration()
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.host, &d.host)
        try read(.port, &d.port)
        try read(.tagsFolder, &d.tagsFolder)
        try read(.templatesFolder, &d.templatesFolder)
        try read(.pinterestBaseURL, &d.pinterestBaseURL)
        try read(.corsOrigins, &d.corsOrigins)
        try read(.trustedProxies, &d.trustedProxies)
        try read(.maxBodyBytes, &d.maxBodyBytes)
        try read(.gifForGet, &d.gifForGet)
        try read(.hitsOnEventLoop, &d.hitsOnEventLoop)
        try read(.tagEnvironment, &d.tagEnvironment)
        try read(.luaVMs, &d.luaVMs)
        try read(.luaInstructionLimit, &d.luaInstructionLimit)
        try read(.luaTimeLimitMilliseconds, &d.luaTimeLimitMilliseconds)
        try read(.luaMemoryLimitBytes, &d.luaMemoryLimitBytes)
        try read(.batchIntervalMilliseconds, &d.batchIntervalMilliseconds)
        try read(.maxAttempts, &d.maxAttempts)
        try read(.duplicateWindowHours, &d.duplicateWindowHours)
        try read(.shutdownFlushSeconds, &d.shutdownFlushSeconds)
        try read(.watchTags, &d.watchTags)
        try read(.adminToken, &d.adminToken)
        try read(.logLevel, &d.logLevel)
        self = d
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Reads a JSON configuration file.
    public static func load(file: String) throws -> TagdConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ConfigurationError.unreadable(file, "\(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(TagdConfiguration.self, from: data)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError.invalid(file, "\(error)")
        }
    }

    /// Lays `TAGD_<KEY>` environment variables (upper-cased keys) over this configuration.
    /// Lists are comma-separated.
    public func applying(environment: [String: String]) throws -> TagdConfiguration {
        var object: [String: Any] = [:]
        for key in CodingKeys.allCases {
            guard let raw = environment["TAGD_" + key.rawValue.uppercased()] else { continue }
            object[key.rawValue] = try Self.parseEnvironmentValue(raw, for: key)
        }
        guard !object.isEmpty else { return self }
        var merged = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] ?? [:]
        merged.merge(object) { _, new in new }
        let data = try JSONSerialization.data(withJSONObject: merged)
        return try JSONDecoder().decode(TagdConfiguration.self, from: data)
    }

    static func parseEnvironmentValue(_ raw: String, for key: CodingKeys) throws -> Any {
        let name = "TAGD_" + key.rawValue.uppercased()
        switch key {
        case .corsOrigins, .trustedProxies, .tagEnvironment:
            return raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .port, .maxBodyBytes, .luaVMs, .luaInstructionLimit, .luaTimeLimitMilliseconds, .luaMemoryLimitBytes,
            .batchIntervalMilliseconds, .maxAttempts:
            guard let value = Int(raw) else { throw ConfigurationError.invalidEnvironment(name, raw, "an integer") }
            return value
        case .duplicateWindowHours, .shutdownFlushSeconds:
            guard let value = Double(raw) else { throw ConfigurationError.invalidEnvironment(name, raw, "a number") }
            return value
        case .gifForGet, .watchTags, .hitsOnEventLoop:
            switch raw.lowercased() {
            case "1", "true", "yes": return true
            case "0", "false", "no": return false
            default: throw ConfigurationError.invalidEnvironment(name, raw, "true or false")
            }
        default:
            return raw
        }
    }
}

public enum ConfigurationError: Error, CustomStringConvertible {
    case unreadable(String, String)
    case invalid(String, String)
    case unknownKey(String)
    case invalidEnvironment(String, String, String)

    public var description: String {
        switch self {
        case .unreadable(let file, let why): return "cannot read configuration file \(file): \(why)"
        case .invalid(let file, let why): return "configuration file \(file) is invalid: \(why)"
        case .unknownKey(let key): return "unknown configuration key '\(key)'"
        case .invalidEnvironment(let name, let raw, let expected): return "\(name)=\(raw): expected \(expected)"
        }
    }
}
