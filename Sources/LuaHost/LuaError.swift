/// Which budget ended an invocation.
public enum LuaBudgetKind: String, Sendable, Hashable, CustomStringConvertible {
    case instructions, time, memory

    public var description: String { rawValue }
}

/// Everything that can go wrong between the host and a script.
public enum LuaError: Error, CustomStringConvertible, Sendable, Hashable {
    /// Compilation failed; the message keeps Lua's `chunk:line:` prefix.
    case syntax(String)
    /// A script raised an error; the message keeps Lua's `chunk:line:` prefix.
    case runtime(String)
    /// A budget ended the invocation. `limit` is in instructions,
    /// milliseconds or bytes depending on `kind`.
    case budget(script: String, kind: LuaBudgetKind, limit: Int)
    /// The source exceeded `LuaLimits.maxSourceSize` (checked before parsing).
    case sourceTooLarge(limit: Int)
    /// The chunk was precompiled bytecode; only text is accepted.
    case bytecodeRefused
    /// A value could not cross the boundary (cycle, depth, key type, ...).
    case conversion(String)
    /// Memory ran out outside any invocation's budget (e.g. VM creation).
    case memory

    public var description: String {
        switch self {
        case .syntax(let message), .runtime(let message):
            return message
        case .budget(let script, let kind, let limit):
            switch kind {
            case .instructions: return "\(script): instruction budget exceeded (limit \(limit))"
            case .time: return "\(script): time budget exceeded (limit \(limit) ms)"
            case .memory: return "\(script): memory budget exceeded (limit \(limit) bytes)"
            }
        case .sourceTooLarge(let limit):
            return "source too large (limit \(limit) bytes)"
        case .bytecodeRefused:
            return "precompiled bytecode is refused: chunks load as text only"
        case .conversion(let message):
            return "value conversion failed: \(message)"
        case .memory:
            return "not enough memory"
        }
    }

    /// Where a syntax or runtime error happened, parsed from the message's
    /// `chunk:line:` prefix (nil when the message has none).
    public var location: (chunk: String, line: Int)? {
        let message: String
        switch self {
        case .syntax(let m), .runtime(let m): message = m
        default: return nil
        }
        // Find the first ":<digits>:" and take what precedes it as the chunk.
        let bytes = Array(message.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: ":") {
                var j = i + 1
                var line = 0
                while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39, line < 100_000_000 {
                    line = line * 10 + Int(bytes[j] - 0x30)
                    j += 1
                }
                if j > i + 1, j < bytes.count, bytes[j] == UInt8(ascii: ":"), i > 0 {
                    return (String(decoding: bytes[0..<i], as: UTF8.self), line)
                }
            }
            i += 1
        }
        return nil
    }
}

/// A budget kill, as counted by `LuaVM.budgetKills`.
public struct LuaBudgetKill: Sendable, Hashable {
    public let script: String
    public let kind: LuaBudgetKind

    public init(script: String, kind: LuaBudgetKind) {
        self.script = script
        self.kind = kind
    }
}
