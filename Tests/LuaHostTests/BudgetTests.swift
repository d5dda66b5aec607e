import LuaHost
import Synchronization
import Testing

/// Budgets: each hostile case fails with a budget (or clear) error, and
/// the VM plus every other script keep working.
@Suite struct BudgetTests {
    let fixture: Fixture
    init() throws { fixture = try Fixture() }

    func expectBudget(_ kind: LuaBudgetKind, _ source: String, chunk: String = "tags/hostile.lua",
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let error = luaError { try fixture.run(source, chunk: chunk) }
        #expect(error?.budgetKind == kind, "got \(String(describing: error))", sourceLocation: sourceLocation)
        fixture.expectHealthy(sourceLocation: sourceLocation)
    }

    @Test func instructionBudgetMessageNamesScriptAndLimit() throws {
        let error = luaError { try fixture.run("return function() while true do end end", chunk: "tags/shop.lua") }
        #expect(error == .budget(script: "tags/shop.lua", kind: .instructions, limit: 2_000_000))
        #expect(error?.description == "tags/shop.lua: instruction budget exceeded (limit 2000000)")
        fixture.expectHealthy()
    }

    @Test func budgetKillsAreCountedAndReported() throws {
        let seen = Mutex<[String]>([])
        fixture.vm.onBudgetKill = { script, kind in seen.withLock { $0.append("\(script)/\(kind)") } }
        _ = luaError { try fixture.run("return function() while true do end end", chunk: "tags/a.lua") }
        _ = luaError { try fixture.run("return function() while true do end end", chunk: "tags/a.lua") }
        _ = luaError { try fixture.run("return function() local t = {} while true do t[#t + 1] = {} end end", chunk: "tags/b.lua") }
        #expect(fixture.vm.budgetKills[LuaBudgetKill(script: "tags/a.lua", kind: .instructions)] == 2)
        #expect(fixture.vm.budgetKills[LuaBudgetKill(script: "tags/b.lua", kind: .memory)] == 1)
        #expect(fixture.vm.totalBudgetKills == 3)
        #expect(seen.withLock { $0 } == ["tags/a.lua/instructions", "tags/a.lua/instructions", "tags/b.lua/memory"])
    }

    @Test func infiniteLoop() { expectBudget(.instructions, "return function() while true do end end") }

    @Test func infiniteLoopInsidePcallThenSecondLoop() {
        expectBudget(.instructions, """
            return function()
              local ok = pcall(function() while true do end end)
              while true do end
            end
            """)
    }

    @Test func xpcallHandlerCannotEscape() {
        expectBudget(.instructions, """
            return function()
              for i = 1, 100 do
                xpcall(function() while true do end end, function(e) while true do end end)
              end
              while true do end
            end
            """)
    }

    @Test func infiniteLoopInsideCoroutineWrap() {
        expectBudget(.instructions, """
            return function()
              local f = coroutine.wrap(function() while true do end end)
              pcall(f)
              while true do end
            end
            """)
    }

    @Test func coroutineResumedInALoopThatSwallowsErrors() {
        expectBudget(.instructions, """
            return function()
              while true do
                local co = coroutine.create(function() while true do coroutine.yield() end end)
                for i = 1, 10 do pcall(coroutine.resume, co) end
              end
            end
            """)
    }

    @Test func coroutineCreatedInEarlierInvocationIsStillBudgeted() throws {
        let f = try fixture.vm.load(source: """
            local co = coroutine.wrap(function() coroutine.yield(1) while true do end end)
            co()
            return function() return co() end
            """, chunkName: "tags/co.lua")
        let error = luaError { try fixture.vm.call(f, [], owner: "tags/co.lua") }
        #expect(error?.budgetKind == .instructions)
        fixture.expectHealthy()
    }

    @Test func timeBudget() throws {
        let limits = LuaLimits(instructionsPerInvocation: .max, timePerInvocation: .milliseconds(50))
        let fixture = try Fixture(limits: limits)
        let clock = ContinuousClock()
        let start = clock.now
        let error = luaError { try fixture.run("return function() while true do end end", chunk: "tags/slow.lua") }
        #expect(error == .budget(script: "tags/slow.lua", kind: .time, limit: 50))
        #expect(error?.description == "tags/slow.lua: time budget exceeded (limit 50 ms)")
        #expect(clock.now - start >= .milliseconds(50))
        fixture.expectHealthy()
    }

    @Test func memoryBudgetAndVMUsableAfterwards() throws {
        let error = luaError { try fixture.run("return function() local t = {} for i = 1, 1e9 do t[i] = i end end", chunk: "tags/grow.lua") }
        #expect(error == .budget(script: "tags/grow.lua", kind: .memory, limit: 16 << 20))
        fixture.expectHealthy()
        #expect(fixture.vm.memoryUsed < 4 << 20)  // the garbage was collected
        // Still able to allocate normally.
        #expect(try fixture.run("return function() local t = {} for i = 1, 1000 do t[i] = i end return #t end") == [1000])
    }

    @Test func memoryKillCannotBeSwallowedByPcall() {
        expectBudget(.memory, """
            return function()
              for i = 1, 10 do pcall(function() local t = {} while true do t[#t + 1] = ("x"):rep(1000) .. #t end end) end
              return "escaped"
            end
            """)
    }

    @Test func stringDoubling() {
        expectBudget(.memory, "return function() local s = 'x' for i = 1, 40 do s = s .. s end return #s end")
    }

    @Test func stringRepHuge() {
        let tooLarge = luaError { try fixture.run("return function() return string.rep('x', 2^31) end") }
        #expect(tooLarge?.description.contains("resulting string too large") == true)
        expectBudget(.memory, "return function() return #string.rep('x', 2^30) end")
        expectBudget(.memory, "return function() return #('abc'):rep(1e8, ',') end")
    }

    @Test func stringRepOfEmptyStringDoesNotSpin() throws {
        #expect(try fixture.run("return function() return string.rep('', 2^62), string.rep('', 1e15, '') end") == ["", ""])
    }

    @Test func tableGrownWithoutBound() {
        expectBudget(.memory, "return function() local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end end")
    }

    @Test func tableConcatOfHugeTable() {
        expectBudget(.memory, """
            return function()
              local s = string.rep('x', 1000) local t = {}
              for i = 1, 100000 do t[i] = s end
              return #table.concat(t)
            end
            """)
    }

    @Test func tableUnpackHugeRange() {
        let error = luaError { try fixture.run("return function() return table.unpack({}, 1, 1e8) end") }
        #expect(error?.description.contains("too many results to unpack") == true)
        fixture.expectHealthy()
    }

    @Test func tableLibraryLoopsAreBudgeted() {
        expectBudget(.instructions, "return function() table.move({}, 1, 2^50, 2) end")
        expectBudget(.instructions, """
            return function()
              table.remove(setmetatable({}, {__len = function() return 2^52 end}), 1)
            end
            """)
    }

    @Test func deepRecursionInLua() {
        let error = luaError { try fixture.run("return function() local function f(n) return 1 + f(n + 1) end return f(1) end") }
        let isStackOverflow = error?.description.contains("stack overflow") == true
        #expect(isStackOverflow || error?.budgetKind == .memory, "got \(String(describing: error))")
        fixture.expectHealthy()
    }

    @Test func deepRecursionThroughNestedPcall() {
        let error = luaError { try fixture.run("""
            return function()
              local function f() local ok, e = pcall(f) if not ok then error(e, 0) end end
              f()
            end
            """) }
        #expect(error?.description.contains("stack overflow") == true, "got \(String(describing: error))")
        fixture.expectHealthy()
    }

    @Test func deepRecursionThroughGsubCallbacks() {
        let error = luaError { try fixture.run("""
            return function()
              local function f(s) return (string.gsub("ab", ".", f)) end
              return f("x")
            end
            """) }
        #expect(error?.description.contains("stack overflow") == true, "got \(String(describing: error))")
        fixture.expectHealthy()
    }

    @Test func pathologicalPatternIsBudgeted() throws {
        // The default instruction budget: stock Lua would run this for ages, the pattern matcher's steps count
        // against it. A time budget far past it, so that a loaded machine cannot make time trip first.
        let fixture = try Fixture(limits: LuaLimits(timePerInvocation: .seconds(30)))
        let error = luaError { try fixture.run(#"return function() return string.find(("a"):rep(50000), ("a-"):rep(20) .. "b") end"#) }
        #expect(error?.budgetKind == .instructions)
        fixture.expectHealthy()
    }

    @Test func patternFunctionsStillWork() throws {
        let results = try fixture.run("""
            return function()
              local words = {}
              for w in ("one two  three"):gmatch("%a+") do words[#words + 1] = w end
              local a, b = string.find("hello world", "o w")
              local k, v = string.match("key=val", "(%w+)=(%w+)")
              local s = string.gsub("abc", "%w", "%0%0")
              return a, b, k, v, s, table.concat(words, ","), ("a.b"):find(".", 1, true)
            end
            """)
        #expect(results == [5, 7, "key", "val", "aabbcc", "one,two,three", 2, 2])
    }

    @Test func gmatchAndGsubAreBudgetedToo() {
        expectBudget(.instructions, #"return function() for m in ("a"):rep(50000):gmatch(("a-"):rep(20) .. "b") do end end"#)
        expectBudget(.instructions, #"return function() return (("a"):rep(50000):gsub(("a-"):rep(20) .. "b", "")) end"#)
    }

    @Test func loadItselfRunsUnderBudget() {
        let error = luaError { try fixture.vm.load(source: "while true do end", chunkName: "tags/top.lua") }
        #expect(error == .budget(script: "tags/top.lua", kind: .instructions, limit: 2_000_000))
        fixture.expectHealthy()
    }
}
