import Synchronization

/// The hit a VM is running tags for, read by native functions (the request, the tag's name for logs
/// and dedup keys) and filled by them (logs, cookies, conversions). One per VM: a VM runs one
/// invocation at a time, so the lock is never contended; it is there so the type is honestly Sendable.
final class InvocationScope: Sendable {
    struct State {
        var tag = ""
        var logs: [TagLogLine] = []
        var conversions: [SubmittedConversion] = []
        var cookies: [ResponseCookie] = []
    }

    private let state = Mutex(State())

    func begin(tag: String) {
        state.withLock { state in
            state.tag = tag
            state.logs = []
            state.conversions = []
        }
    }

    /// Ends a tag's invocation, handing over what it logged and sent. Moved out, so the scope does not
    /// keep the hit's events alive until the VM's next tag.
    func end() -> (logs: [TagLogLine], conversions: [SubmittedConversion]) {
        state.withLock { state in (Self.take(&state.logs), Self.take(&state.conversions)) }
    }

    /// Takes the cookies set during a hit (they belong to the hit, not to one tag).
    func takeCookies() -> [ResponseCookie] {
        state.withLock { state in Self.take(&state.cookies) }
    }

    /// Forgets cookies a hit left behind (one whose tags failed midway), without handing them over.
    func clearCookies() {
        state.withLock { state in
            if !state.cookies.isEmpty { state.cookies = [] }
        }
    }

    /// Moves `array` out, leaving it empty: a copy and a reset would retain and release the storage (and a
    /// `removeAll(keepingCapacity:)` on the shared copy allocated a new one).
    private static func take<Element>(_ array: inout [Element]) -> [Element] {
        var taken: [Element] = []
        swap(&taken, &array)
        return taken
    }

    var tag: String { state.withLock { $0.tag } }

    func log(_ line: TagLogLine) { state.withLock { $0.logs.append(line) } }
    func record(_ conversion: SubmittedConversion) { state.withLock { $0.conversions.append(conversion) } }
    func setCookie(_ cookie: ResponseCookie) {
        state.withLock { state in
            state.cookies.removeAll { $0.name == cookie.name }
            state.cookies.append(cookie)
        }
    }
}
