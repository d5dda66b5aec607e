import LuaHost
import Testing

@Suite struct ValueBridgeTests {
    let vm: LuaVM
    let identity: LuaRef

    init() throws {
        vm = try LuaVM(modules: [NativeModule(name: "json", values: ["null": .null])])
        identity = try vm.load(source: "return function(...) return ... end", chunkName: "identity.lua")
    }

    func roundTrip(_ value: LuaValue) throws -> LuaValue {
        let results = try vm.call(identity, [value], owner: "identity.lua")
        #expect(results.count == 1)
        return results.first ?? .nil
    }

    @Test func scalarsRoundTrip() throws {
        for value: LuaValue in [.nil, .bool(true), .bool(false), .int(0), .int(Int64.max), .int(Int64.min),
                                .double(1.5), .double(-0.25), .string(""), .string("héllo ✓"), .null] {
            #expect(try roundTrip(value) == value)
        }
    }

    @Test func integersStayIntegersAndFloatsStayDoubles() throws {
        let ref = try vm.load(source: "return {a = 3, b = 3.0, c = 2^53, d = 7 // 2, e = 7 / 2}", chunkName: "nums.lua")
        let value = try vm.value(ref)
        #expect(value == .table(["a": .int(3), "b": .double(3.0), "c": .double(9007199254740992), "d": .int(3), "e": .double(3.5)]))
    }

    @Test func invalidUTF8ReadsAsBytesAndRoundTrips() throws {
        let ref = try vm.load(source: #"return "\xff\xfeab""#, chunkName: "bytes.lua")
        #expect(try vm.value(ref) == .bytes([0xFF, 0xFE, 0x61, 0x62]))
        #expect(try roundTrip(.bytes([0xC3, 0x28])) == .bytes([0xC3, 0x28]))
        let length = try vm.load(source: "return function(s) return #s end", chunkName: "len.lua")
        #expect(try vm.call(length, [.bytes([0, 1, 2, 0xFF])], owner: "len.lua") == [.int(4)])
    }

    @Test func nestedTablesAndArraysRoundTrip() throws {
        let value: LuaValue = [
            "name": "shop",
            "items": [1, 2.5, "three", ["deep": [true, false]]],
            "empty": .table([:]),
            "nothing": .null,
        ]
        #expect(try roundTrip(value) == value)
    }

    @Test func sequenceShapes() throws {
        let ref = try vm.load(source: """
            return { seq = {10, 20, 30}, holes = {[1] = "a", [3] = "c"}, mixed = {1, 2, x = 3},
                     empty = {}, floatKey = {[1.5] = "f"}, negative = {[-1] = "n"}, zero = {[0] = "z", [1] = "o"} }
            """, chunkName: "shapes.lua")
        let value = try vm.value(ref)
        #expect(value["seq"] == .array([10, 20, 30]))
        #expect(value["holes"] == .table(["1": "a", "3": "c"]))
        #expect(value["mixed"] == .table(["1": 1, "2": 2, "x": 3]))
        #expect(value["empty"] == .table([:]))
        #expect(value["floatKey"] == .table(["1.5": "f"]))
        #expect(value["negative"] == .table(["-1": "n"]))
        #expect(value["zero"] == .table(["0": "z", "1": "o"]))
    }

    @Test func nullSentinelIsUniqueAndVisibleToScripts() throws {
        let f = try vm.load(source: "return function(v) return v == json.null, json.null end", chunkName: "null.lua")
        #expect(try vm.call(f, [.null], owner: "null.lua") == [.bool(true), .null])
        #expect(try vm.call(f, [.nil], owner: "null.lua") == [.bool(false), .null])
    }

    @Test func functionsReadAsOpaqueMarker() throws {
        let ref = try vm.load(source: "return {f = print or function() end}", chunkName: "fn.lua")
        #expect(try vm.value(ref) == .table(["f": .function]))
        #expect(luaError { try vm.call(identity, [.function], owner: "x") } != nil)
    }

    @Test func depthLimitIsAnErrorNotACrash() throws {
        let ref = try vm.load(source: "local t = {} local c = t for i = 1, 40 do c.n = {} c = c.n end return t", chunkName: "deep.lua")
        let error = luaError { try vm.value(ref) }
        #expect(error?.description.contains("nesting deeper than 32") == true)
        // Exactly at the limit is fine.
        let ok = try vm.load(source: "local t = {} local c = t for i = 1, 31 do c.n = {} c = c.n end return t", chunkName: "ok.lua")
        #expect(throws: Never.self) { try vm.value(ok) }
        // Sending too deep a value is refused too.
        var deep: LuaValue = .int(1)
        for _ in 0..<40 { deep = .array([deep]) }
        #expect(luaError { try vm.call(identity, [deep], owner: "x") }?.description.contains("nesting") == true)
    }

    @Test func cycleIsDetected() throws {
        let ref = try vm.load(source: "local t = {x = {}} t.x.back = t return t", chunkName: "cycle.lua")
        #expect(luaError { try vm.value(ref) }?.description.contains("cycle") == true)
        // A shared (non-cyclic) subtable is not a cycle.
        let shared = try vm.load(source: "local s = {1} return {a = s, b = s}", chunkName: "shared.lua")
        #expect(try vm.value(shared) == .table(["a": [1], "b": [1]]))
    }

    @Test func unsupportedKeysAndDuplicateKeysAreErrors() throws {
        let boolKey = try vm.load(source: "return {[true] = 1}", chunkName: "k.lua")
        #expect(luaError { try vm.value(boolKey) }?.description.contains("key type boolean") == true)
        let duplicate = try vm.load(source: "return {[1] = 'a', ['1'] = 'b', x = 1}", chunkName: "d.lua")
        #expect(luaError { try vm.value(duplicate) }?.description.contains("duplicate key") == true)
    }

    @Test func fieldAndTypeOf() throws {
        let ref = try vm.load(source: "return {n = 1, s = 'x', f = function() end, t = {}, b = false}", chunkName: "f.lua")
        #expect(vm.type(of: ref) == .table)
        #expect(try vm.field(ref, "missing") == nil)
        let n = try #require(try vm.field(ref, "n"))
        #expect(vm.type(of: n) == .number)
        #expect(try vm.value(n) == .int(1))
        #expect(try vm.field(ref, "f").map { vm.type(of: $0) } == .function)
        #expect(try vm.field(ref, "b").map { vm.type(of: $0) } == .boolean)
        #expect(luaError { try vm.field(n, "x") } != nil)
        let other = try LuaVM()
        #expect(luaError { try other.value(ref) } != nil)
    }

    @Test func arityOfFunctions() throws {
        let ref = try vm.load(
            source: "return {a = function(e) end, b = function(e, r, x) end, c = function(...) end, d = string.upper, n = 1}",
            chunkName: "a.lua")
        func arity(_ key: String) throws -> (parameters: Int, isVararg: Bool)? {
            try vm.field(ref, key).flatMap { vm.arity(of: $0) }
        }
        #expect(try arity("a").map { [$0.parameters, $0.isVararg ? 1 : 0] } == [1, 0])
        #expect(try arity("b").map { [$0.parameters, $0.isVararg ? 1 : 0] } == [3, 0])
        #expect(try arity("c").map { [$0.parameters, $0.isVararg ? 1 : 0] } == [0, 1])
        #expect(try arity("d").map(\.isVararg) == true)  // a C function may read any argument
        #expect(try arity("n") == nil)
        #expect(try LuaVM().arity(of: try #require(try vm.field(ref, "a"))) == nil)  // another VM's ref
    }

    @Test func loadReturningNothingGivesNilRef() throws {
        let ref = try vm.load(source: "local x = 1", chunkName: "none.lua")
        #expect(vm.type(of: ref) == .nil)
        #expect(try vm.value(ref) == .nil)
    }

    @Test func errorsKeepChunkAndLine() throws {
        let f = try vm.load(source: "return function()\n  local t = nil\n  return t.x\nend", chunkName: "tags/shop.lua")
        let error = try #require(luaError { try vm.call(f, [], owner: "tags/shop.lua") })
        #expect(error.description == "tags/shop.lua:3: attempt to index a nil value (local 't')")
        #expect(error.location?.chunk == "tags/shop.lua")
        #expect(error.location?.line == 3)
        let syntax = luaError { try vm.load(source: "return +", chunkName: "tags/bad.lua") }
        guard case .syntax(let message)? = syntax else {
            Issue.record("expected a syntax error, got \(String(describing: syntax))")
            return
        }
        #expect(message.hasPrefix("tags/bad.lua:1:"))
        let nonString = try vm.load(source: "return function() error({code = 1}) end", chunkName: "e.lua")
        #expect(luaError { try vm.call(nonString, [], owner: "e.lua") } == .runtime("(error object is a table value)"))
    }
}
