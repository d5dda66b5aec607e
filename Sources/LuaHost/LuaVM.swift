/// LuaHost: tagd's embedded, sandboxed Lua 5.4.
///
/// **Boundary rule: no Lua error (longjmp) ever crosses a Swift frame.**
/// Every call from Swift into Lua goes through a CLuaShim entry point that
/// does its raising work (pushing values, creating tables, loading, calling,
/// luaL_ref) inside `lua_pcall`. The only Lua API Swift calls directly are
/// proven non-raising reads (see `StackReader`); tables are converted by C
/// code that is non-raising too (tagd_results.c: results and arguments go
/// into a flat result tape that Swift decodes in one pass). Swift functions
/// exposed to Lua report failure as a value; the C trampoline raises it with
/// `lua_error` after the Swift frame has returned. Callbacks from C into
/// Swift (native functions, module lookup) never call a raising Lua API.
///
/// Per hit, push the event with `share(_:readOnly:)`: once as a deep
/// read-only view that many calls read, or as plain tables for one caller
/// to keep or change; pass it with `call(_:arguments:owner:)` as `.ref(_)`
/// and release the ref afterwards.
///
/// Budgets (see `LuaLimits`) apply per invocation (`load` and `call`); a
/// kill is latched in C until the host's protected call returns, so
/// `pcall`, `xpcall` handlers and coroutines cannot escape it. After a kill
/// the VM stays usable (a full collection runs); state a script kept in its
/// own globals survives and counts against the memory cap.
import CLua
import CLuaShim
import Synchronization

private let vmCounter = Atomic<UInt64>(0)

/// One sandboxed Lua state. Not Sendable: use it from one thread at a time
/// (`LuaVMPool` hands VMs out exclusively).
public final class LuaVM {
    public let limits: LuaLimits
    /// Budget kills so far, by script and kind.
    public private(set) var budgetKills: [LuaBudgetKill: Int] = [:]
    /// Called on every budget kill (e.g. for metrics).
    public var onBudgetKill: ((_ script: String, _ kind: LuaBudgetKind) -> Void)?

    let handle: OpaquePointer
    let L: OpaquePointer
    let id: UInt64
    /// Native functions by trampoline index. Only appended to while the VM
    /// is being set up (`init`), read on every native call: exclusivity
    /// checks would cost a runtime call each time.
    @exclusivity(unchecked) private var natives: [NativeEntry] = []
    /// The same entries unretained, for the call path: `natives` keeps them alive as long as the VM, so a
    /// call borrows its entry (and the entry's function) instead of retaining and releasing them.
    @exclusivity(unchecked) private var nativeRefs: [Unmanaged<NativeEntry>] = []
    private let moduleSource: (@Sendable (String) -> (source: String, chunkName: String)?)?
    private let argumentTape = ValueTape()
    /// The nodes of the last flat share, kept for the next.
    private var flatNodes: [LuaFlatValue.Node] = []
    private let nativeTape = ValueTape()
    private let moduleTape = ValueTape(capacity: 256)
    let keyCache = ResultKeyCache()
    /// Unchecked, like `natives`: read and written around every call, on the VM's one thread at a time.
    @exclusivity(unchecked) private var inInvocation = false

    public init(
        limits: LuaLimits = .default,
        modules: [NativeModule] = [],
        moduleSource: (@Sendable (String) -> (source: String, chunkName: String)?)? = nil
    ) throws(LuaError) {
        var cLimits = tagd_limits(
            instructions: Int64(clamping: limits.instructionsPerInvocation),
            time_ns: limits.timeNanoseconds,
            memory: Int(clamping: max(0, limits.memoryPerVM)),
            max_source: Int(clamping: max(0, limits.maxSourceSize)),
            hook_interval: Int32(clamping: max(1, limits.hookInterval)))
        var message = [CChar](repeating: 0, count: 256)
        guard let handle = tagd_vm_new(&cLimits, &message, message.count) else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw text.contains("memory") ? .memory : .runtime(text)
        }
        self.handle = handle
        self.L = tagd_vm_state(handle)
        self.limits = limits
        self.moduleSource = moduleSource
        self.id = vmCounter.add(1, ordering: .relaxed).newValue
        tagd_vm_set_host(handle, Unmanaged.passUnretained(self).toOpaque(), nativeEntry, moduleEntry)
        for module in modules { try install(module) }
    }

    deinit {
        tagd_vm_free(handle)
    }

    /// Bytes currently allocated by this VM.
    public var memoryUsed: Int { tagd_vm_memory_used(handle) }

    /// Total budget kills of all scripts and kinds.
    public var totalBudgetKills: Int { budgetKills.values.reduce(0, +) }

    // MARK: - Loading

    /// Compiles `source` (text only, size limit first) in a fresh sandbox
    /// environment, runs it under budgets, and returns a ref to its first
    /// result (a ref to nil if it returned nothing).
    public func load(source: String, chunkName: String) throws(LuaError) -> LuaRef {
        guard source.utf8.count <= limits.maxSourceSize else {
            throw .sourceTooLarge(limit: limits.maxSourceSize)
        }
        var source = source
        var result: Result<LuaRef, LuaError> = .failure(.memory)
        source.withUTF8 { utf8 in
            result = Result { () throws(LuaError) in
                try load(UnsafeRawBufferPointer(utf8), chunkName: chunkName)
            }
        }
        return try result.get()
    }

    /// Same as `load(source:chunkName:)` for raw bytes.
    public func load(source: [UInt8], chunkName: String) throws(LuaError) -> LuaRef {
        guard source.count <= limits.maxSourceSize else {
            throw .sourceTooLarge(limit: limits.maxSourceSize)
        }
        var result: Result<LuaRef, LuaError> = .failure(.memory)
        source.withUnsafeBytes { bytes in
            result = Result { () throws(LuaError) in try load(bytes, chunkName: chunkName) }
        }
        return try result.get()
    }

    private func load(_ bytes: UnsafeRawBufferPointer, chunkName: String) throws(LuaError) -> LuaRef {
        guard bytes.count <= limits.maxSourceSize else {
            throw .sourceTooLarge(limit: limits.maxSourceSize)
        }
        // Lua treats any chunk starting with ESC ("\27Lua") as binary.
        if bytes.first == 0x1B { throw .bytecodeRefused }
        try enter()
        defer { inInvocation = false }
        let base = lua_gettop(L)
        let name = chunkName.hasPrefix("@") || chunkName.hasPrefix("=") ? chunkName : "@" + chunkName
        var ref: Int32 = LUA_REFNIL
        let status = name.withCString { cName in
            tagd_load(handle, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, cName, &ref)
        }
        guard status == Int32(TAGD_OK) else {
            throw failure(status, base: base, owner: Self.displayName(chunkName))
        }
        return LuaRef(id: ref, vmID: id)
    }

    // MARK: - Reading

    /// Reads the value behind `ref` (raw access only; no metamethod runs).
    public func value(_ ref: LuaRef) throws(LuaError) -> LuaValue {
        try checkOwner(ref)
        var out = tagd_bytes()
        let status = tagd_read_ref(handle, ref.id, maxDepth, &out)
        switch Int(status) {
        case TAGD_OK:
            return try decodeResults(out, count: 1)[0]
        case TAGD_ERR_CONVERSION: throw .conversion(conversionMessage())
        default: throw .memory
        }
    }

    /// Raw lookup of `key` in the table behind `ref`; nil when absent or nil.
    public func field(_ ref: LuaRef, _ key: String) throws(LuaError) -> LuaRef? {
        try checkOwner(ref)
        let base = lua_gettop(L)
        var out: Int32 = LUA_REFNIL
        var key = key
        let status = key.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                tagd_field(handle, ref.id, chars.baseAddress, chars.count, &out)
            }
        }
        guard status == Int32(TAGD_OK) else { throw failure(status, base: base, owner: "field") }
        if out == LUA_NOREF { throw .conversion("field '\(key)' of a non-table value") }
        return out == LUA_REFNIL ? nil : LuaRef(id: out, vmID: id)
    }

    /// The Lua type of the value behind `ref` (`.nil` for a foreign ref).
    public func type(of ref: LuaRef) -> LuaType {
        guard ref.vmID == id else { return .nil }
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard tagd_push_ref(handle, ref.id) != 0 else { return .other }
        switch lua_type(L, -1) {
        case LUA_TNIL: return .nil
        case LUA_TBOOLEAN: return .boolean
        case LUA_TNUMBER: return .number
        case LUA_TSTRING: return .string
        case LUA_TTABLE: return .table
        case LUA_TFUNCTION: return .function
        default: return .other
        }
    }

    /// How many parameters the function behind `function` names, and whether it also takes `...`
    /// (native functions do); `nil` when it is not a function. A function that names one parameter
    /// and takes no `...` can never read a second argument, so a caller may skip building it.
    public func arity(of function: LuaRef) -> (parameters: Int, isVararg: Bool)? {
        guard function.vmID == id else { return nil }
        var parameters: Int32 = 0
        var isVararg: Int32 = 0
        guard tagd_function_arity(handle, function.id, &parameters, &isVararg) != 0 else { return nil }
        return (Int(parameters), isVararg != 0)
    }

    /// Drops the registry reference.
    public func release(_ ref: LuaRef) {
        guard ref.vmID == id, !inInvocation else { return }
        tagd_unref(handle, ref.id)
    }

    /// Runs a full garbage collection (e.g. after releasing large shared
    /// values, to return their memory at once rather than on the collector's
    /// schedule). Runs no script code.
    public func collectGarbage() {
        guard !inInvocation else { return }
        tagd_collect(handle)
    }

    // MARK: - Shared values

    /// As `share(_: some LuaTapeEncodable)`; this overload lets literals be shared (`vm.share("text")`).
    public func share(_ value: LuaValue, readOnly: Bool = true) throws(LuaError) -> LuaRef {
        try shareEncoded(value, readOnly: readOnly)
    }

    /// Pushes `value` into the VM once and returns a ref to a **deep
    /// read-only view** of it, to pass to any number of calls with
    /// `call(_:arguments:owner:)` (`.ref(view)`): one value read by several
    /// scripts (a hit's trigger functions), none of which can change what
    /// the next one sees.
    ///
    /// Scripts read the view like the table it shows: fields at any depth
    /// (`event.user.address.city`, `event.items[1].price`), `#`, `ipairs`
    /// and `pairs`. Every write fails with "attempt to modify a read-only
    /// table" (assignment at any depth, `table.insert`/`remove`/`sort`/`move`
    /// into it), `setmetatable` on it fails, and `getmetatable` returns the
    /// string "read-only table", never the real table. So no script can
    /// change what the next one sees. `next(view)` and `rawlen(view)` see the
    /// content too, as `pairs` and `#` do. A limit, by construction: the view
    /// of a table is a distinct table from the view of a copy of it.
    ///
    /// Native functions receiving the view (or a part of it) read the real
    /// content through `LuaArguments.value`/`table`; a script returning it
    /// hands the real content to the host, as does `value(_:)` on the ref.
    /// Reading never runs a metamethod in the host.
    ///
    /// Pushing happens inside a protected call, under the VM's memory cap:
    /// a value that does not fit throws `.memory` (after a full collection;
    /// the VM stays usable). Nesting deeper than `limits.maxResultDepth` is a
    /// `.conversion` error. Release the ref with `release(_:)` once the hit
    /// is done; the memory returns at the next collection.
    ///
    /// Any `LuaTapeEncodable` value can be shared: a caller's own tree
    /// (JSON, say) is written straight into the VM, with no `LuaValue` copy.
    ///
    /// With `readOnly: false` tables go in as plain tables instead: a copy
    /// for one reader that may change it, and cheaper to build than a view
    /// (no proxy or metatable per table).
    public func share(_ value: some LuaTapeEncodable, readOnly: Bool = true) throws(LuaError) -> LuaRef {
        try shareEncoded(value, readOnly: readOnly)
    }

    /// As `share(_:)`, for a value the caller already holds flat: `writeNodes` fills `nodeCount` nodes in
    /// `LuaFlatValue`'s layout (document order, the root first and spanning them all), strings pointing into
    /// `bytes`. No tape is written or read, so a document kept in this form (a parsed hit's event) goes in
    /// with one pass over its nodes. Nodes that do not describe a value are a `.runtime` error, never read
    /// out of bounds.
    public func share(
        flatNodeCount nodeCount: Int, bytes: UnsafeBufferPointer<UInt8>, readOnly: Bool = true,
        writingNodes writeNodes: (UnsafeMutableBufferPointer<LuaFlatValue.Node>) -> Void
    ) throws(LuaError) -> LuaRef {
        guard nodeCount >= 0 else { throw .conversion("a flat value cannot have \(nodeCount) nodes") }
        flatNodes.removeAll(keepingCapacity: true)
        flatNodes.append(contentsOf: repeatElement(LuaFlatValue.Node(kind: .nil, end: 0), count: nodeCount))
        flatNodes.withUnsafeMutableBufferPointer { writeNodes($0) }
        defer { if flatNodes.capacity > Self.flatNodesKept { flatNodes = [] } }
        let result = flatNodes.withUnsafeBufferPointer { nodes in
            nodes.withMemoryRebound(to: tagd_flat_node.self) { raw in
                Result { () throws(LuaError) in
                    try shareFlat(raw.baseAddress, count: raw.count, bytes: bytes, nilIsNull: false, readOnly: readOnly)
                }
            }
        }
        return try result.get()
    }

    /// As `share(flatNodeCount:bytes:readOnly:writingNodes:)`, for nodes already in memory in
    /// `LuaFlatValue.nodeLayout` (a caller's own node type of that layout): nothing is copied. With `nilIsNull`,
    /// a `.nil` node goes in as `json.null`: the nodes of a JSON document, whose null is kind 0. Nodes that do
    /// not describe a value are a `.runtime` error, never read out of bounds.
    public func share(
        flatNodeMemory nodes: UnsafeRawBufferPointer, bytes: UnsafeBufferPointer<UInt8>, nilIsNull: Bool,
        readOnly: Bool = true
    ) throws(LuaError) -> LuaRef {
        let stride = MemoryLayout<tagd_flat_node>.stride
        guard nodes.count % stride == 0, let base = nodes.baseAddress,
              Int(bitPattern: base) % MemoryLayout<tagd_flat_node>.alignment == 0
        else { throw .conversion("flat nodes of \(nodes.count) bytes are not in LuaFlatValue.nodeLayout") }
        let count = nodes.count / stride
        let result = base.withMemoryRebound(to: tagd_flat_node.self, capacity: count) { raw in
            Result { () throws(LuaError) in
                try shareFlat(raw, count: count, bytes: bytes, nilIsNull: nilIsNull, readOnly: readOnly)
            }
        }
        return try result.get()
    }

    private func shareFlat(
        _ nodes: UnsafePointer<tagd_flat_node>?, count: Int, bytes: UnsafeBufferPointer<UInt8>, nilIsNull: Bool,
        readOnly: Bool
    ) throws(LuaError) -> LuaRef {
        try enter()
        defer { inInvocation = false }
        let base = lua_gettop(L)
        var ref: Int32 = LUA_REFNIL
        let maxDepth = limits.maxResultDepth
        var flat = tagd_flat(nodes: nodes, node_count: count, bytes: bytes.baseAddress, byte_count: bytes.count)
        let status = tagd_share_flat(
            handle, &flat, Int32(clamping: maxDepth), nilIsNull ? 1 : 0, readOnly ? 1 : 0, &ref)
        if status == Int32(TAGD_ERR_CONVERSION) { throw .conversion("table nesting deeper than \(maxDepth)") }
        guard status == Int32(TAGD_OK) else { throw failure(status, base: base, owner: "share") }
        return LuaRef(id: ref, vmID: id)
    }

    /// The node capacity `flatNodes` keeps between shares (a huge event's is given back).
    private static let flatNodesKept = 4_096

    private func shareEncoded(_ value: some LuaTapeEncodable, readOnly: Bool) throws(LuaError) -> LuaRef {
        argumentTape.reset()
        try argumentTape.encode(value, maxDepth: limits.maxResultDepth)
        try enter()
        defer { inInvocation = false }
        let base = lua_gettop(L)
        var ref: Int32 = LUA_REFNIL
        let status = tagd_share(handle, argumentTape.bytes, argumentTape.count, readOnly ? 1 : 0, &ref)
        guard status == Int32(TAGD_OK) else { throw failure(status, base: base, owner: "share") }
        return LuaRef(id: ref, vmID: id)
    }

    // MARK: - Calling

    /// Calls the function behind `function` as one invocation under fresh
    /// budgets; `owner` names the script in budget errors.
    public func call(_ function: LuaRef, _ args: [LuaValue], owner: String) throws(LuaError) -> [LuaValue] {
        try checkOwner(function)
        guard args.count < 200_000 else { throw .conversion("too many arguments") }
        argumentTape.reset()
        for arg in args { try argumentTape.encode(arg, maxDepth: limits.maxResultDepth) }
        return try invoke(function, argumentCount: args.count, owner: owner)
    }

    /// Like `call(_:_:owner:)`, with arguments that may be refs to values
    /// already in the VM, typically the shared event view of the hit
    /// (`share(_:)`): `.ref(event)` costs a registry lookup, not a push.
    public func call(_ function: LuaRef, arguments: [LuaArgument], owner: String) throws(LuaError) -> [LuaValue] {
        try checkOwner(function)
        guard arguments.count < 200_000 else { throw .conversion("too many arguments") }
        argumentTape.reset()
        for argument in arguments {
            switch argument {
            case .value(let value): try argumentTape.encode(value, maxDepth: limits.maxResultDepth)
            case .ref(let ref):
                try checkOwner(ref)
                argumentTape.encodeRef(ref.id)
            }
        }
        return try invoke(function, argumentCount: arguments.count, owner: owner)
    }

    /// Runs one invocation with the arguments already in `argumentTape`.
    private func invoke(_ function: LuaRef, argumentCount: Int, owner: String) throws(LuaError) -> [LuaValue] {
        try enter()
        defer { inInvocation = false }
        let base = lua_gettop(L)
        var out = tagd_bytes()
        var count: Int32 = 0
        let status = tagd_call_tape(
            handle, function.id, argumentTape.bytes, argumentTape.count, Int32(argumentCount),
            maxDepth, &out, &count)
        guard status == Int32(TAGD_OK) else { throw failure(status, base: base, owner: owner) }
        // Results were converted in C inside the invocation; decode the tape.
        return try decodeResults(out, count: Int(count))
    }

    /// Decodes a result tape and acknowledges it to the shim.
    private func decodeResults(_ tape: tagd_bytes, count: Int) throws(LuaError) -> [LuaValue] {
        var reader = ResultTapeReader(tape, cache: keyCache)
        var results: [LuaValue]
        do {
            if count == 1 {
                // The common case: one allocation of exactly one element.
                results = [try reader.value()]
            } else {
                results = []
                results.reserveCapacity(count)
                for _ in 0..<count { results.append(try reader.value()) }
            }
        } catch {
            tagd_results_done(handle, 0)
            throw error
        }
        tagd_results_done(handle, 1)
        return results
    }

    // MARK: - Internals

    /// The table depth limit as the shim takes it.
    private var maxDepth: Int32 { Int32(clamping: limits.maxResultDepth) }

    private func conversionMessage() -> String {
        String(cString: tagd_vm_conversion_message(handle))
    }

    private func enter() throws(LuaError) {
        // A native function cannot reach its VM (it is not Sendable), but
        // guard anyway: invocations do not nest.
        guard !inInvocation else { throw .runtime("re-entrant call into the same LuaVM") }
        inInvocation = true
    }

    private func checkOwner(_ ref: LuaRef) throws(LuaError) {
        guard ref.vmID == id else { throw .conversion("ref belongs to another LuaVM") }
    }

    /// "@tags/shop.lua" -> "tags/shop.lua" for budget messages.
    private static func displayName(_ chunkName: String) -> String {
        if chunkName.hasPrefix("@") || chunkName.hasPrefix("=") { return String(chunkName.dropFirst()) }
        return chunkName
    }

    /// Turns a shim status into an error, reading (non-raising) and popping
    /// the error object, and counting budget kills.
    private func failure(_ status: Int32, base: Int32, owner: String) -> LuaError {
        defer { lua_settop(L, base) }
        switch Int(status) {
        case TAGD_ERR_SYNTAX: return .syntax(errorMessage())
        case TAGD_ERR_RUNTIME: return .runtime(errorMessage())
        case TAGD_ERR_MEMORY: return .memory
        case TAGD_ERR_STACK: return .runtime("Lua stack exhausted")
        case TAGD_ERR_CONVERSION: return .conversion(conversionMessage())
        case TAGD_KILL_INSTRUCTIONS:
            return kill(owner, .instructions, limit: limits.instructionsPerInvocation)
        case TAGD_KILL_TIME:
            return kill(owner, .time, limit: limits.timeMilliseconds)
        case TAGD_KILL_MEMORY:
            return kill(owner, .memory, limit: limits.memoryPerVM)
        default: return .runtime("unexpected status \(status)")
        }
    }

    private func kill(_ script: String, _ kind: LuaBudgetKind, limit: Int) -> LuaError {
        budgetKills[LuaBudgetKill(script: script, kind: kind), default: 0] += 1
        onBudgetKill?(script, kind)
        return .budget(script: script, kind: kind, limit: limit)
    }

    private func errorMessage() -> String {
        switch lua_type(L, -1) {
        case LUA_TSTRING:
            switch StackReader(L: L, maxDepth: 0).readString(-1) {
            case .string(let s): return s
            case .bytes(let b): return String(decoding: b, as: UTF8.self)
            default: return "error"
            }
        case LUA_TNUMBER:
            if lua_isinteger(L, -1) != 0 { return String(lua_tointegerx(L, -1, nil)) }
            return formatFloat(Double(lua_tonumberx(L, -1, nil)))
        case let type:
            return "(error object is a \(StackReader.typeName(L, type)) value)"
        }
    }

    private func install(_ module: NativeModule) throws(LuaError) {
        guard Self.isIdentifier(module.name) else {
            throw .conversion("invalid module name '\(module.name)'")
        }
        let tape = ValueTape()
        tape.appendByte(Int32(TAGD_TAPE_TABLE))
        tape.appendUInt32(UInt32(module.functions.count + module.scalarFunctions.count + module.values.count))
        for name in module.scalarFunctions.keys where module.functions[name] != nil || module.values[name] != nil {
            throw .conversion("duplicate name '\(name)' in module '\(module.name)'")
        }
        var entries: [(name: String, body: NativeEntry.Body)] =
            module.functions.map { ($0.key, .list($0.value)) }
        entries += module.scalarFunctions.map { ($0.key, .scalar($0.value)) }
        for (name, body) in entries.sorted(by: { $0.name < $1.name }) {
            try tape.appendLengthPrefixed(name)
            tape.encodeNative(index: natives.count)
            let entry = NativeEntry(name: name, body: body)
            natives.append(entry)
            nativeRefs.append(Unmanaged.passUnretained(entry))
        }
        for (name, value) in module.values.sorted(by: { $0.key < $1.key }) {
            try tape.appendLengthPrefixed(name)
            try tape.encode(value, maxDepth: limits.maxResultDepth)
        }
        let base = lua_gettop(L)
        let status = module.name.withCString { tagd_define_global(handle, $0, tape.bytes, tape.count) }
        guard status == Int32(TAGD_OK) else { throw failure(status, base: base, owner: module.name) }
    }

    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { c in
            (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || c == 0x5F
        }
    }

    // MARK: - Callbacks from C (must never call a raising Lua API)

    /// Runs native function `index` for the trampoline. Results (or the
    /// error message) go to a tape the trampoline decodes after we return.
    fileprivate func runNative(
        _ state: OpaquePointer, index: Int,
        out: UnsafeMutablePointer<tagd_bytes>, results: UnsafeMutablePointer<Int32>
    ) -> Int32 {
        let tape = nativeTape
        tape.reset()
        guard nativeRefs.indices.contains(index) else {
            tape.appendText("unknown native function")
            out.pointee = tagd_bytes(data: tape.bytes, length: tape.count)
            return Int32(TAGD_NATIVE_ERROR)
        }
        return nativeRefs[index]._withUnsafeGuaranteedRef { entry in
            run(entry, state: state, tape: tape, out: out, results: results)
        }
    }

    /// Runs one native function: its results (or the error message) into `tape`.
    private func run(
        _ entry: NativeEntry, state: OpaquePointer, tape: ValueTape,
        out: UnsafeMutablePointer<tagd_bytes>, results: UnsafeMutablePointer<Int32>
    ) -> Int32 {
        let arguments = LuaArguments(
            L: state, count: Int(lua_gettop(state)), functionName: entry.name,
            maxDepth: limits.maxResultDepth, keyCache: keyCache)
        var status = Int32(TAGD_NATIVE_OK)
        do {
            switch entry.body {
            case .scalar(let function):
                try tape.encode(try function(arguments), maxDepth: limits.maxResultDepth)
                results.pointee = 1
            case .list(let function):
                let values = try function(arguments)
                // By index: each value is encoded where it is, not copied out (a retain and a release each).
                for i in values.indices { try tape.encode(values[i], maxDepth: limits.maxResultDepth) }
                results.pointee = Int32(clamping: values.count)
            }
        } catch let error as LuaArgumentError {
            tape.reset()
            tape.appendText(error.message)
            status = Int32(TAGD_NATIVE_ARG_ERROR)
        } catch {
            tape.reset()
            tape.appendText(String(describing: error))
            status = Int32(TAGD_NATIVE_ERROR)
        }
        out.pointee = tagd_bytes(data: tape.bytes, length: tape.count)
        return status
    }

    /// Looks a module up for the host `require`. Copies source and chunk
    /// name into a tape that stays valid until the next lookup.
    fileprivate func lookupModule(
        _ name: String, source: UnsafeMutablePointer<tagd_bytes>, chunk: UnsafeMutablePointer<tagd_bytes>
    ) -> Int32 {
        guard let provider = moduleSource, let found = provider(name) else { return 0 }
        let tape = moduleTape
        tape.reset()
        tape.appendText(found.source)
        let sourceLength = tape.count
        tape.appendText(found.chunkName)
        let base = tape.bytes
        source.pointee = tagd_bytes(data: base, length: sourceLength)
        chunk.pointee = tagd_bytes(data: base + sourceLength, length: tape.count - sourceLength)
        return 1
    }
}

/// One native function of an installed module.
final class NativeEntry {
    enum Body {
        case list(NativeFunction)
        case scalar(NativeScalarFunction)
    }
    let name: String
    let body: Body
    init(name: String, body: Body) {
        self.name = name
        self.body = body
    }
}

private let nativeEntry: tagd_native_fn = { host, state, index, out, results in
    guard let host, let state, let out, let results else { return Int32(TAGD_NATIVE_ERROR) }
    // The VM outlives every call into it (it owns the state): no retain of it per native call.
    return Unmanaged<LuaVM>.fromOpaque(host)._withUnsafeGuaranteedRef {
        $0.runNative(state, index: Int(index), out: out, results: results)
    }
}

private let moduleEntry: tagd_module_fn = { host, name, length, source, chunk in
    guard let host, let name, let source, let chunk else { return 0 }
    let vm = Unmanaged<LuaVM>.fromOpaque(host).takeUnretainedValue()
    let text = String(decoding: UnsafeRawBufferPointer(start: name, count: length), as: UTF8.self)
    return vm.lookupModule(text, source: source, chunk: chunk)
}
