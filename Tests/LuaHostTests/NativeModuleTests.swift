import LuaHost
import Testing

struct Boom: Error, CustomStringConvertible {
    var description: String { "boom from Swift" }
}

let hashModule = NativeModule(
    name: "hash",
    functions: [
        "sha256": { args in
            let text = try args.string(1)
            let salt = try args.optionalString(2) ?? ""
            return [.string("h(\(salt)\(text))")]
        },
        "fail": { _ in throw Boom() },
        "sum": { args in
            var total: Int64 = 0
            for i in 1...max(1, args.count) { total += try args.int(i) }
            return [.int(total)]
        },
        "echo": { args in
            (1...max(1, args.count)).map { (try? args.value($0)) ?? .nil }
        },
        "keys": { args in
            guard case .table(let fields) = try args.table(1) else { return [.int(0)] }
            return [.array(fields.keys.sorted().map { .string($0) }), .int(Int64(fields.count))]
        },
        "flag": { args in [.bool(try args.bool(1))] },
        "nothing": { _ in [] },
    ],
    values: ["version": 2, "null": .null])

@Suite struct NativeModuleTests {
    let fixture: Fixture
    init() throws { fixture = try Fixture(modules: [hashModule]) }

    @Test func callsNativeFunctionsThroughTheTrampoline() throws {
        let results = try fixture.run("""
            return function() return hash.sha256("abc"), hash.sha256("abc", "s"), hash.sum(1, 2, 3.0, "4"), hash.version end
            """)
        #expect(results == ["h(abc)", "h(sabc)", 10, 2])
    }

    @Test func wrongArgumentTypeMessageMatchesLua() throws {
        let error = luaError { try fixture.run("return function() return hash.sha256('a', {}) end", chunk: "tags/shop.lua") }
        #expect(error == .runtime("tags/shop.lua:1: bad argument #2 to 'sha256' (string expected, got table)"))
        let explicitNil = luaError { try fixture.run("return function() return hash.flag(nil) end", chunk: "tags/shop.lua") }
        #expect(explicitNil == .runtime("tags/shop.lua:1: bad argument #1 to 'flag' (boolean expected, got nil)"))
        fixture.expectHealthy()
    }

    @Test func missingArgumentSaysNoValue() throws {
        let error = luaError { try fixture.run("return function()\n return hash.sha256()\nend", chunk: "tags/a.lua") }
        #expect(error == .runtime("tags/a.lua:2: bad argument #1 to 'sha256' (string expected, got no value)"))
        let notInteger = luaError { try fixture.run("return function() return hash.sum(1.5) end", chunk: "t.lua") }
        #expect(notInteger == .runtime("t.lua:1: bad argument #1 to 'sum' (number has no integer representation)"))
        fixture.expectHealthy()
    }

    @Test func argumentErrorsAreCatchableByPcall() throws {
        let results = try fixture.run("return function() return pcall(hash.sha256, nil) end")
        #expect(results == [false, "bad argument #1 to 'sha256' (string expected, got nil)"])
    }

    @Test func thrownSwiftErrorIsCaughtByPcall() throws {
        let results = try fixture.run("return function() local ok, e = pcall(hash.fail) return ok, e, 'after' end")
        #expect(results == [false, "boom from Swift", "after"])
    }

    @Test func uncaughtSwiftErrorBecomesRuntimeError() throws {
        let error = luaError { try fixture.run("return function() hash.fail() end") }
        #expect(error == .runtime("boom from Swift"))
        fixture.expectHealthy()
    }

    @Test func tablesCrossInBothDirections() throws {
        let results = try fixture.run("""
            return function()
              local keys, n = hash.keys({b = 1, a = {x = 1}, c = "z"})
              local echoed = hash.echo({1, 2, {k = "v"}}, json and 1 or hash.null)
              return keys, n, echoed, select('#', hash.nothing())
            end
            """)
        #expect(results == [["a", "b", "c"], 3, [1, 2, ["k": "v"]], 0])
    }

    @Test func nativeValuesAreNullAndModuleIsReadOnly() throws {
        let results = try fixture.run("return function() return hash.null, pcall(function() hash.sha256 = nil end) end")
        #expect(results.count == 3)
        #expect(results.first == .null)
        #expect(results[1] == .bool(false))
        #expect(results[2].stringValue?.contains("read-only") == true)
        #expect(try fixture.run("return function() return hash.sha256('x') end") == ["h(x)"])
    }

    /// Scalar functions (one result, no array) and byte views of arguments.
    @Test func scalarFunctionsAndByteViews() throws {
        let module = NativeModule(
            name: "fast",
            functions: ["pair": { _ in [1, 2] }],
            scalarFunctions: [
                "len": { args in LuaValue.int(Int64(try args.withBytes(1) { $0.count })) },
                "sum": { args in
                    LuaValue.int(try args.withBytes(1) { bytes in bytes.reduce(Int64(0)) { $0 + Int64($1) } })
                },
                "hex": { args in
                    LuaValue.string(try args.withBytes(1) { bytes in bytes.map { String($0, radix: 16) }.joined(separator: ",") })
                },
                "fail": { _ in throw Boom() },
                "nothing": { _ in LuaValue.nil },
                "table": { args in try args.table(1) },
            ],
            values: ["version": 3])
        let fixture = try Fixture(modules: [module])
        let results = try fixture.run(#"""
            return function()
              return fast.len("abc"), fast.len(""), fast.len(12.5), fast.sum("\x01\x02\xff"),
                     fast.hex("\0a"), select('#', fast.nothing()), fast.nothing(), fast.version,
                     fast.table({a = {1, 2}}), fast.pair()
            end
            """#)
        #expect(results == [3, 0, 4, 258, "0,61", 1, .nil, 3, ["a": [1, 2]], 1, 2])
        let wrongType = luaError { try fixture.run("return function() return fast.len({}) end", chunk: "tags/v.lua") }
        #expect(wrongType == .runtime("tags/v.lua:1: bad argument #1 to 'len' (string expected, got table)"))
        let missing = luaError { try fixture.run("return function() return fast.len() end", chunk: "tags/v.lua") }
        #expect(missing == .runtime("tags/v.lua:1: bad argument #1 to 'len' (string expected, got no value)"))
        #expect(try fixture.run("return function() return pcall(fast.fail) end") == [false, "boom from Swift"])
        let uncaught = luaError { try fixture.run("return function() fast.fail() end") }
        #expect(uncaught == .runtime("boom from Swift"))
        let readOnly = try fixture.run("return function() return pcall(function() fast.len = nil end) end")
        #expect(readOnly.first == .bool(false))
        fixture.expectHealthy()
    }

    /// A scalar function may not reuse a name of the same module.
    @Test func scalarFunctionNamesMustBeUnique() throws {
        for module in [
            NativeModule(name: "m", functions: ["f": { _ in [] }], scalarFunctions: ["f": { _ in LuaValue.nil }]),
            NativeModule(name: "m", scalarFunctions: ["v": { _ in LuaValue.nil }], values: ["v": 1]),
        ] {
            let error = luaError { try LuaVM(limits: quickLimits, modules: [module]) }
            #expect(error?.message.contains("duplicate name") == true)
        }
    }
}

/// Tables written flat in C (`LuaArguments.withFlat`): what is declined, and the memory the buffers take.
@Suite struct FlatArgumentTests {
    static let probe = NativeModule(name: "flat", functions: [
        "nodes": { args in [args.withFlat(1) { .int(Int64($0.count)) } ?? .string("declined")] }
    ])

    @Test func aLargeTableDeclinedLateLeavesNoMemoryCharged() throws {
        let vm = try LuaVM(limits: LuaLimits(memoryPerVM: 32 << 20), modules: [Self.probe])
        let function = try vm.load(source: """
            return function(poison)
              local t = {}
              for i = 1, 100000 do t[i] = "value number " .. i end
              if poison then t[100000] = { function() end } end  -- declined after every other string was copied
              return flat.nodes(t)
            end
            """, chunkName: "tags/flat.lua")
        defer { vm.release(function) }
        _ = try vm.call(function, [.bool(false)], owner: "tags/flat.lua")
        vm.collectGarbage()
        let settled = vm.memoryUsed
        for poison in [true, false, true] {
            let results = try vm.call(function, [.bool(poison)], owner: "tags/flat.lua")
            #expect(results == (poison ? ["declined"] : [.int(100_001)]))
            vm.collectGarbage()
            // The flat buffers (about 3 MB for this table) were released, declined or not.
            #expect(vm.memoryUsed < settled + 256 << 10, "\(vm.memoryUsed) vs \(settled)")
        }
    }
}
