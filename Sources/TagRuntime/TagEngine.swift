import Foundation
import LuaHost
import Logging
import Metrics
import Synchronization
import TagdJSON

/// One generation of tags, loaded into a pool of Lua VMs (one per core), that runs every tag on each event.
///
/// Tags run in a stable order (by file path), each isolated in its own globals; one failing tag is
/// recorded with its file and line and the others still run. A generation is immutable: reloading
/// builds a new engine and swaps it in, so a hit is always processed entirely by one version.
public final class TagEngine: Sendable {
    public let bundle: TagBundle
    /// How each tag file loaded, in firing order.
    public let statuses: [TagStatus]

    /// Whether some tag function can read the request (a second parameter or `...`). When none can,
    /// callers may pass any request, e.g. `.null`, and skip building it.
    public let readsRequest: Bool

    /// Internal, not private, so a test can hold every VM and see what a hit does then.
    let pool: LuaVMPool
    /// Each VM's tags: one entry per VM (a pool has about as many as cores), so a scan finds one in fewer
    /// instructions than hashing its identifier for a dictionary did.
    private let vmTags: [(vm: ObjectIdentifier, tags: VMTags)]
    private let logger: Logger
    private let failureLog: FailureLogThrottle

    /// The tags of one VM, and the scope its native functions read.
    /// A class, so that looking a VM's tags up per hit retains one object, not each array and the scope.
    private final class VMTags: @unchecked Sendable {
        // LuaRefs inside are only used while the pool hands out this VM, on one thread at a time.
        let tags: [LoadedTag]
        /// `tags[i]`'s run counters.
        let counters: [TagRunCounters]
        let scope: InvocationScope
        let readsRequest: Bool

        init(tags: [LoadedTag], counters: [TagRunCounters], scope: InvocationScope, readsRequest: Bool) {
            self.tags = tags
            self.counters = counters
            self.scope = scope
            self.readsRequest = readsRequest
        }
    }

    public init(bundle: TagBundle, services: RuntimeServices) throws {
        self.bundle = bundle
        self.logger = services.logger
        let metrics = services.metrics
        self.failureLog = FailureLogThrottle()

        let templates = bundle.templates
        let moduleSource: @Sendable (String) -> (source: String, chunkName: String)? = { name in
            templates[name].map { ($0.source, $0.path) }
        }
        let built = Mutex<(tags: [ObjectIdentifier: VMTags], statuses: [TagStatus]?)>(([:], nil))
        self.pool = try LuaVMPool(count: services.vmCount) {
            let scope = InvocationScope()
            let vm = try LuaVM(
                limits: services.limits,
                modules: NativeModules.all(scope: scope, services: services),
                moduleSource: moduleSource)
            vm.onBudgetKill = { script, kind in metrics.budgetKill(script: script, kind: kind) }
            var loaded: [LoadedTag] = []
            var statuses: [TagStatus] = []
            for file in bundle.tags {
                scope.begin(tag: file.baseName)
                do {
                    let value = try vm.load(source: file.source, chunkName: file.path)
                    let tag = try LoadedTag.read(from: value, file: file, in: vm)
                    loaded.append(tag)
                    statuses.append(TagStatus(file: file.path, name: tag.name, error: nil))
                } catch {
                    statuses.append(TagStatus(file: file.path, name: file.baseName, error: "\(error)"))
                }
            }
            let vmTags = VMTags(
                tags: loaded, counters: loaded.map { metrics.runCounters(tag: $0.name) }, scope: scope,
                readsRequest: loaded.contains(where: \.readsRequest))
            built.withLock { state in
                state.tags[ObjectIdentifier(vm)] = vmTags
                if state.statuses == nil { state.statuses = statuses }
            }
            return vm
        }
        let result = built.withLock { $0 }
        // Smoke check: every VM must hold the same tags, or hits would depend on which VM they get.
        let loadedSets = Set(result.tags.values.map { $0.tags.map(\.file) })
        guard loadedSets.count <= 1 else {
            throw TagEngineError.inconsistentVMs(loadedSets.map { $0.joined(separator: ", ") }.sorted())
        }
        self.vmTags = result.tags.map { (vm: $0.key, tags: $0.value) }
        self.readsRequest = result.tags.values.contains { $0.readsRequest }
        self.statuses = result.statuses ?? []
        for status in statuses {
            if let error = status.error {
                logger.error("tag not loaded", metadata: ["file": "\(status.file)", "error": "\(error)"])
            }
        }
    }

    /// Runs every loaded tag on one event. `request` is what tags read as their second argument.
    public func process(event: JSONValue, request: JSONValue = .object([:])) async -> HitResult {
        await pool.withVM { vm in
            self.run(event: event, request: request, on: vm)
        }
    }

    /// Runs every loaded tag on each event of one hit, in order, on one VM (waiting for a free one).
    public func process<Event: TagEventData>(events: [Event], request: JSONValue) async -> [HitResult] {
        await pool.withVM { vm in
            events.map { self.run(event: $0, request: request, on: vm) }
        }
    }

    /// Like `process(events:request:)`, but on the calling thread and only if a VM is free now;
    /// `nil` when every VM is busy. For an event loop, which must never wait.
    /// - Parameter preferredVM: the VM to use when it is free (e.g. the event loop's own).
    public func processNow<Event: TagEventData>(events: [Event], request: JSONValue, preferredVM: Int) -> [HitResult]? {
        pool.tryWithVM(preferring: preferredVM) { vm in
            events.map { self.run(event: $0, request: request, on: vm) }
        }
    }

    private func run<Event: TagEventData>(event: Event, request: JSONValue, on vm: LuaVM) -> HitResult {
        var result = HitResult()
        guard let vmTags = tags(of: vm), !vmTags.tags.isEmpty else { return result }
        let scope = vmTags.scope
        let eventName = event.eventName
        scope.clearCookies()
        // Trigger functions all read one read-only view of the event (and request), built when the first
        // one runs. A tag that fires gets its own plain copy, which it may change: no tag can change what
        // another sees, and a copy costs less to build than a view, whose proxy and metatable per table
        // only pay off from the third tag that fires on one hit. The request goes in only to tags whose
        // functions name a second parameter or take `...` (`LoadedTag.readsRequest`).
        var inputs = HitInputs()
        defer { inputs.release(in: vm) }
        result.tagRuns.reserveCapacity(vmTags.tags.count)
        for index in vmTags.tags.indices {
            let tag = vmTags.tags[index]
            scope.begin(tag: tag.name)
            var fired = false
            var outcome: String?
            var failure: String?
            do {
                if try triggers(tag, eventName: eventName, inputs: &inputs, event: event, request: request, vm: vm) {
                    fired = true
                    let copies = try inputs.arguments(for: tag, event: event, request: request, readOnly: false, vm: vm)
                    defer { for case .ref(let ref) in copies { vm.release(ref) } }
                    let returned = try vm.call(tag.fire, arguments: copies, owner: tag.file)
                    outcome = Self.describeOutcome(returned.first)
                }
            } catch {
                failure = "\(error)"
                if failureLog.shouldLog(tag.file) {
                    logger.error("tag failed", metadata: ["tag": "\(tag.name)", "file": "\(tag.file)", "error": "\(error)"])
                }
            }
            // Built once, at the end, and appended as its last use: moved into the array, not copied.
            let ended = scope.end()
            let run = TagRun(
                tag: tag.name, file: tag.file, fired: fired, outcome: outcome, error: failure, logs: ended.logs,
                conversions: ended.conversions)
            vmTags.counters[index].record(run.status)
            result.tagRuns.append(run)
        }
        result.cookies = scope.takeCookies()
        return result
    }

    private func tags(of vm: LuaVM) -> VMTags? {
        let id = ObjectIdentifier(vm)
        for index in vmTags.indices where vmTags[index].vm == id { return vmTags[index].tags }
        return nil
    }

    private func triggers<Event: TagEventData>(
        _ tag: LoadedTag, eventName: String, inputs: inout HitInputs, event: Event, request: JSONValue, vm: LuaVM
    ) throws -> Bool {
        switch tag.trigger {
        case .all: return true
        case .events(let names): return names.contains(eventName)
        case .function(let function):
            let arguments = try inputs.views(for: tag, event: event, request: request, vm: vm)
            let returned = try vm.call(function, arguments: arguments, owner: tag.file)
            switch returned.first {
            case nil, .nil?, .bool(false)?: return false
            default: return true
            }
        }
    }

    static func describeOutcome(_ value: LuaValue?) -> String? {
        switch value {
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "true" : "false"
        case .int(let i)?: return String(i)
        default: return nil
        }
    }
}

public enum TagEngineError: Error, CustomStringConvertible {
    /// Some VM loaded a different set of tags than another (e.g. one ran out of memory while loading).
    case inconsistentVMs([String])

    public var description: String {
        switch self {
        case .inconsistentVMs(let sets): return "VMs loaded different tags: " + sets.map { "[\($0)]" }.joined(separator: " vs ")
        }
    }
}

/// What one hit puts into Lua for its tags: the read-only views every trigger function reads, built when the
/// first one runs, and each firing tag's own copies. An event (or request) too deep for Lua fails every later
/// tag that needs it at once, with the same error: no retry per tag (a failed share collects the VM's garbage).
/// Running out of memory is tried again: it depends on what is alive at the time.
private struct HitInputs {
    var eventView: LuaRef?
    var requestView: LuaRef?
    var eventFailure: TagInputError?
    var requestFailure: TagInputError?

    /// The arguments of a trigger function: the shared views.
    mutating func views<Event: TagEventData>(
        for tag: LoadedTag, event: Event, request: JSONValue, vm: LuaVM
    ) throws(TagInputError) -> [LuaArgument] {
        let eventView: LuaRef
        if let existing = self.eventView {
            eventView = existing
        } else {
            eventView = try input(event, .event, readOnly: true, vm: vm)
            self.eventView = eventView
        }
        guard tag.readsRequest else { return [.ref(eventView)] }
        let requestView: LuaRef
        if let existing = self.requestView {
            requestView = existing
        } else {
            requestView = try input(request, .request, readOnly: true, vm: vm)
            self.requestView = requestView
        }
        return [.ref(eventView), .ref(requestView)]
    }

    /// The arguments of one tag's function: its own copy of the event, and of the request when it can read it.
    /// The caller releases them.
    mutating func arguments<Event: TagEventData>(
        for tag: LoadedTag, event: Event, request: JSONValue, readOnly: Bool, vm: LuaVM
    ) throws(TagInputError) -> [LuaArgument] {
        let eventRef = try input(event, .event, readOnly: readOnly, vm: vm)
        guard tag.readsRequest else { return [.ref(eventRef)] }
        do {
            return [.ref(eventRef), .ref(try input(request, .request, readOnly: readOnly, vm: vm))]
        } catch {
            vm.release(eventRef)
            throw error
        }
    }

    private mutating func input(
        _ value: some TagEventData, _ what: TagInputError.Input, readOnly: Bool, vm: LuaVM
    ) throws(TagInputError) -> LuaRef {
        if let failure = what == .event ? eventFailure : requestFailure { throw failure }
        do {
            return try value.share(in: vm, readOnly: readOnly)
        } catch {
            let failure = TagInputError(input: what, underlying: error)
            if case .conversion = error {
                if what == .event { eventFailure = failure } else { requestFailure = failure }
            }
            throw failure
        }
    }

    func release(in vm: LuaVM) {
        if let eventView { vm.release(eventView) }
        if let requestView { vm.release(requestView) }
    }
}

/// A hit's event or request did not go into Lua (too deep, or past the VM's memory cap): the tag that needed
/// it fails.
struct TagInputError: Error, CustomStringConvertible {
    enum Input: String { case event, request }

    let input: Input
    let underlying: LuaError

    var description: String { "the \(input.rawValue) could not be passed to Lua: \(underlying)" }
}

/// Logs a failing tag at most once per interval, so a tag broken for every hit does not flood the log.
final class FailureLogThrottle: Sendable {
    private let lastLogged = Mutex<[String: ContinuousClock.Instant]>([:])
    private let interval: Duration

    init(interval: Duration = .seconds(10)) { self.interval = interval }

    func shouldLog(_ key: String) -> Bool {
        let now = ContinuousClock.now
        return lastLogged.withLock { last in
            if let previous = last[key], previous + interval > now { return false }
            last[key] = now
            return true
        }
    }
}
