import LuaHost
import Testing

/// The result tape (values converted in C, decoded in one pass), its key
/// cache and shape templates, and the push-side key cache.
@Suite struct ResultTapeTests {
    let fixture: Fixture
    var vm: LuaVM { fixture.vm }

    init() throws {
        fixture = try Fixture(modules: [
            NativeModule(
                name: "host",
                functions: [
                    "echo": { args in try (1...max(1, args.count)).map { try args.value($0) } },
                    "kind": { args in [.string("\(try args.value(1))")] },
                ],
                values: ["null": .null]),
        ])
    }

    /// Every value kind, as call results, as a table's fields, as an
    /// array's items and through a native function's arguments.
    @Test func everyKindRoundTrips() throws {
        let values: [LuaValue] = [
            .nil, .bool(false), .bool(true), .int(0), .int(-1), .int(.max), .int(.min),
            .double(0.5), .double(-1e300), .double(.infinity), .string(""), .string("ascii"),
            .string("héllo ✓ 😀"), .string(String(repeating: "long ", count: 100)),
            .bytes([0xFF]), .bytes([0x61, 0xC3]), .null,
            .array([1, "two", 3.5, .null]), .table([:]),
            .table(["a": 1, "nested": ["b": ["c": [true]]], "é": "accent"]),
        ]
        let identity = try vm.load(source: "return function(...) return ... end", chunkName: "id.lua")
        #expect(try vm.call(identity, values, owner: "id.lua") == values)
        let viaNative = try vm.load(source: "return function(...) return host.echo(...) end", chunkName: "echo.lua")
        for value in values where value != .nil {
            #expect(try vm.call(viaNative, [value], owner: "echo.lua") == [value])
        }
        var fields: [String: LuaValue] = [:]
        for (i, value) in values.enumerated() where value != .nil { fields["k\(i)"] = value }
        #expect(try vm.call(identity, [.table(fields)], owner: "id.lua") == [.table(fields)])
        let nonNil = values.filter { $0 != .nil }
        #expect(try vm.call(identity, [.array(nonNil)], owner: "id.lua") == [.array(nonNil)])
    }

    @Test func resultsWithHolesAndFunctions() throws {
        let results = try fixture.run("return function() return 1, nil, 'x', print or type, {f = type} end")
        #expect(results == [1, .nil, "x", .function, ["f": .function]])
    }

    @Test func invalidUTF8ValuesAndKeysThroughCall() throws {
        #expect(try fixture.run(#"return function() return "\xff", {v = "\xc3\x28"} end"#)
            == [.bytes([0xFF]), ["v": .bytes([0xC3, 0x28])]])
        let error = luaError { try fixture.run(#"return function() return {["\xff"] = 1} end"#) }
        #expect(error == .conversion("table key is not valid UTF-8"))
        fixture.expectHealthy()
    }

    @Test func depthAndCycleErrorsThroughCallAndArguments() throws {
        let deep = luaError { try fixture.run("return function() local t = {} local c = t for i = 1, 40 do c.n = {} c = c.n end return t end") }
        #expect(deep == .conversion("table nesting deeper than 32"))
        let cycle = luaError { try fixture.run("return function() local t = {x = {}} t.x.back = t return 1, t end") }
        #expect(cycle == .conversion("cycle detected in table"))
        let cycleArray = luaError { try fixture.run("return function() local t = {} t[1] = t return t end") }
        #expect(cycleArray == .conversion("cycle detected in table"))
        // The same checks on a native function's argument become argument errors.
        let argument = luaError { try fixture.run("return function() local t = {} t.self = t return host.echo(t) end", chunk: "tags/a.lua") }
        #expect(argument == .runtime("tags/a.lua:1: bad argument #1 to 'echo' (cycle detected in table)"))
        let thread = luaError { try fixture.run("return function() return {a = 1, co = coroutine.create(print or type)} end") }
        #expect(thread == .conversion("cannot convert a thread value"))
        let key = luaError { try fixture.run("return function() return {[{}] = 1} end") }
        #expect(key == .conversion("unsupported table key type table"))
        let duplicate = luaError { try fixture.run("return function() return {[1] = 'a', ['1'] = 'b', x = 1} end") }
        #expect(duplicate == .conversion("duplicate key '1' after conversion to string"))
        fixture.expectHealthy()
        // Results after failures (the key cache is reset on the failure path).
        #expect(try fixture.run("return function() return {a = 1, co = 2} end") == [["a": 1, "co": 2]])
    }

    /// A result that fits in Lua's memory but not as a tape (a shared
    /// subtable referenced many times) is a memory budget kill, not a host
    /// memory blow-up; the tape memory is given back afterwards.
    @Test func memoryCapWhileReadingResults() throws {
        let error = luaError { try fixture.run("""
            return function()
              local s = string.rep("x", 1000)
              local row = {} for i = 1, 100 do row[i] = s end
              local all = {} for i = 1, 200 do all[i] = row end
              return all
            end
            """, chunk: "tags/huge.lua") }
        #expect(error == .budget(script: "tags/huge.lua", kind: .memory, limit: 16 << 20))
        fixture.expectHealthy()
        #expect(vm.memoryUsed < 4 << 20)
        // A large result that fits is read, and its tape released afterwards.
        let big = try fixture.run("return function() local t = {} for i = 1, 20000 do t[i] = 'item ' .. i end return t end")
        guard case .array(let items)? = big.first else {
            Issue.record("expected an array")
            return
        }
        #expect(items.count == 20000)
        #expect(items.last == "item 20000")
        #expect(vm.memoryUsed < 4 << 20)
        // The same through a reference.
        let ref = try vm.load(source: "local s = string.rep('y', 10000) local row = {} for i = 1, 100 do row[i] = s end local t = {} for i = 1, 30 do t[i] = row end return t", chunkName: "refs.lua")
        #expect(luaError { try vm.value(ref) } == .memory)
        vm.release(ref)
        fixture.expectHealthy()
    }

    /// The same shape many times (template path), shapes that change, and
    /// more distinct keys than the cache has slots (evictions).
    @Test func keyCacheAndShapeTemplates() throws {
        let f = try vm.load(source: """
            return function(n, extra)
              local t = {name = "n" .. n, id = n, flag = n % 2 == 0, inner = {x = n, y = {n}}}
              if extra then t.extra = extra end
              return t
            end
            """, chunkName: "shape.lua")
        for n in 0..<50 {
            let extra: LuaValue = n % 7 == 0 ? .string("e\(n)") : .nil
            var expected: [String: LuaValue] = [
                "name": .string("n\(n)"), "id": .int(Int64(n)), "flag": .bool(n % 2 == 0),
                "inner": ["x": .int(Int64(n)), "y": [.int(Int64(n))]],
            ]
            if n % 7 == 0 { expected["extra"] = extra }
            #expect(try vm.call(f, [.int(Int64(n)), extra], owner: "shape.lua") == [.table(expected)])
        }
        // Thousands of distinct keys: slots are evicted and redefined.
        let many = try vm.load(source: """
            return function(base)
              local t = {}
              for i = base, base + 1499 do t["key_" .. i] = i end
              return t
            end
            """, chunkName: "many.lua")
        for base in [0, 1000, 0, 5000] {
            let result = try vm.call(many, [.int(Int64(base))], owner: "many.lua")
            guard case .table(let fields)? = result.first else {
                Issue.record("expected a table")
                return
            }
            #expect(fields.count == 1500)
            #expect(fields["key_\(base)"] == .int(Int64(base)))
            #expect(fields["key_\(base + 1499)"] == .int(Int64(base + 1499)))
            #expect(fields.allSatisfy { key, value in key == "key_\(value.intValue ?? -1)" })
        }
        // Same key count, different keys: never confused with a template.
        let a = try fixture.run("return function() return {p = 1, q = 2} end")
        let b = try fixture.run("return function() return {r = 1, s = 2} end")
        for _ in 0..<3 {
            #expect(try fixture.run("return function() return {p = 1, q = 2} end") == a)
            #expect(try fixture.run("return function() return {r = 1, s = 2} end") == b)
        }
        #expect(a == [["p": 1, "q": 2]])
        #expect(b == [["r": 1, "s": 2]])
        // Keys longer than the cache takes, number keys and the empty key.
        let long = String(repeating: "k", count: 100)
        let mixed = try fixture.run("return function() return {['\(long)'] = 1, [''] = 2, [2.5] = 3, [-7] = 4} end")
        #expect(mixed == [[long: 1, "": 2, "2.5": 3, "-7": 4]])
    }

    /// Argument tables share keys across calls (push-side key cache).
    @Test func pushKeyCacheRoundTrips() throws {
        let identity = try vm.load(source: "return function(t) return t end", chunkName: "id.lua")
        let count = try vm.load(source: "return function(t) local n = 0 for k, v in pairs(t) do n = n + 1 end return n, t.a, t[''] end", chunkName: "count.lua")
        for round in 0..<3 {
            var fields: [String: LuaValue] = ["": "empty", "a": .int(Int64(round))]
            for i in 0..<600 { fields["field_\(i % (200 * (round + 1)))"] = .int(Int64(i)) }
            fields[String(repeating: "z", count: 41)] = "long key"
            #expect(try vm.call(identity, [.table(fields)], owner: "id.lua") == [.table(fields)])
            #expect(try vm.call(count, [.table(fields)], owner: "count.lua")
                == [.int(Int64(fields.count)), .int(Int64(round)), "empty"])
        }
    }

    /// Cached keys and values are anchored when first written (outside the
    /// table walk, on a cache miss only): strings created per call, dropped
    /// and collected must never be confused with new strings that reuse
    /// their addresses, at the top level or nested.
    @Test func cachedStringsStayAnchoredAcrossCollections() throws {
        let f = try vm.load(source: """
            return function(n)
              local k = "key" .. n
              local v = "value" .. n
              return v, {[k] = v, fixed = "f" .. n, nested = {[k] = n, s = v}}, {v, k}
            end
            """, chunkName: "anchor.lua")
        for _ in 0..<3 {
            for n in 0..<300 {
                let k = "key\(n)", v = "value\(n)"
                let expected: [LuaValue] = [
                    .string(v),
                    .table([k: .string(v), "fixed": .string("f\(n)"), "nested": .table([k: .int(Int64(n)), "s": .string(v)])]),
                    .array([.string(v), .string(k)]),
                ]
                #expect(try vm.call(f, [.int(Int64(n))], owner: "anchor.lua") == expected)
                if n % 50 == 0 { vm.collectGarbage() }
            }
            vm.collectGarbage()
        }
        fixture.expectHealthy()
    }

    /// A VM's caches are per VM: two VMs interleaved stay correct.
    @Test func cachesArePerVM() throws {
        let other = try Fixture()
        for i in 0..<5 {
            let source = "return function() return {shared = \(i), only\(i % 2) = true} end"
            #expect(try fixture.run(source) == [["shared": .int(Int64(i)), "only\(i % 2)": true]])
            #expect(try other.run(source) == [["shared": .int(Int64(i)), "only\(i % 2)": true]])
        }
    }
}
