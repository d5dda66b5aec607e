import LuaHost
import Testing

/// The sandbox's allowlist and isolation, one test per hostile case.
@Suite struct SandboxTests {
    let fixture: Fixture
    init() throws { fixture = try Fixture() }

    @Test func onlyAllowlistedGlobalsExist() throws {
        let results = try fixture.run("""
            return function()
              local present = {}
              for _, n in ipairs({"assert","error","ipairs","next","pairs","pcall","xpcall","select","tonumber",
                                  "tostring","type","rawequal","rawlen","setmetatable","getmetatable","require",
                                  "string","table","math","utf8","coroutine","os"}) do
                if _ENV[n] == nil then return "missing " .. n end
              end
              for _, n in ipairs({"load","loadstring","dofile","loadfile","io","package","debug","collectgarbage",
                                  "rawset","rawget","print","module","setfenv","getfenv","newproxy"}) do
                if _ENV[n] ~= nil then return "present " .. n end
              end
              if string.dump ~= nil then return "present string.dump" end
              return "ok"
            end
            """)
        #expect(results == ["ok"])
    }

    @Test func osBeyondTheAllowedFourIsAbsent() throws {
        let error = luaError { try fixture.run("return function() return os.execute('true') end") }
        #expect(error?.description.contains("attempt to call a nil value (field 'execute')") == true)
        let names = try fixture.run("""
            return function()
              local found = {}
              for k in pairs(os) do found[#found + 1] = k end
              table.sort(found)
              return table.concat(found, ","), os.getenv, os.exit, os.remove, type(os.time()), type(os.clock())
            end
            """)
        #expect(names == ["clock,date,difftime,time", .nil, .nil, .nil, "number", "number"])
        fixture.expectHealthy()
    }

    @Test func ioIsAbsent() throws {
        let error = luaError { try fixture.run("return function() return io.open('/etc/passwd') end") }
        #expect(error?.description.contains("attempt to index a nil value (global 'io')") == true)
        fixture.expectHealthy()
    }

    @Test func packageIsAbsent() throws {
        let error = luaError { try fixture.run("return function() return package.loadlib('libc.so.6', 'system') end") }
        #expect(error?.description.contains("global 'package'") == true)
        fixture.expectHealthy()
    }

    @Test func debugIsAbsent() throws {
        let error = luaError { try fixture.run("return function() debug.sethook() end") }
        #expect(error?.description.contains("global 'debug'") == true)
        fixture.expectHealthy()
    }

    @Test func loadAndDofileAreAbsent() throws {
        #expect(luaError { try fixture.run("return function() return load('return 1')() end") }?
            .description.contains("global 'load'") == true)
        #expect(luaError { try fixture.run("return function() return dofile('/etc/passwd') end") }?
            .description.contains("global 'dofile'") == true)
        #expect(luaError { try fixture.run("return function() return loadstring('x') end") }?
            .description.contains("global 'loadstring'") == true)
        fixture.expectHealthy()
    }

    @Test func requireOutsideProvidedModulesFails() throws {
        let error = luaError { try fixture.run("return function() return require('os') end") }
        #expect(error?.description.contains("module 'os' not found") == true)
        let path = luaError { try fixture.run("return function() return require('../../etc/passwd') end") }
        #expect(path?.description.contains("invalid module name") == true)
        fixture.expectHealthy()
    }

    @Test func bytecodeIsRefused() throws {
        let source = "\u{1B}Lua\u{54}\u{00}\u{19}\u{93}\r\n\u{1A}\n"
        #expect(luaError { try fixture.vm.load(source: source, chunkName: "evil.lua") } == .bytecodeRefused)
        #expect(luaError { try fixture.vm.load(source: Array(source.utf8), chunkName: "evil.lua") } == .bytecodeRefused)
        fixture.expectHealthy()
    }

    @Test func hugeSourceIsRefusedBeforeParsing() throws {
        // Not valid Lua: if it were parsed we would get a syntax error instead.
        let source = String(repeating: "@", count: 10 << 20)
        #expect(luaError { try fixture.vm.load(source: source, chunkName: "big.lua") } == .sourceTooLarge(limit: 1 << 20))
        fixture.expectHealthy()
    }

    @Test func globalsAreIsolatedBetweenScripts() throws {
        _ = try fixture.run("return function() counter = 1000 secret = 'a' _G.other = 1 end", chunk: "tags/a.lua")
        let seen = try fixture.run("return function() return secret, other end", chunk: "tags/b.lua")
        #expect(seen == [.nil, .nil])
        fixture.expectHealthy()  // witness's own `counter` is untouched
    }

    @Test func librariesAreReadOnly() throws {
        let error = luaError { try fixture.run("return function() string.upper = nil end", chunk: "tags/a.lua") }
        #expect(error?.description.contains("attempt to modify a read-only table") == true)
        let viaTable = luaError { try fixture.run("return function() table.insert(string, 1) end") }
        #expect(viaTable?.description.contains("read-only") == true)
        let viaPairs = try fixture.run("""
            return function()
              local _, state = pairs(string)
              return type(state), pcall(function() math.pi = 3 end)
            end
            """)
        #expect(viaPairs.first == "table")
        #expect(viaPairs[1] == .bool(false))
        let b = try fixture.run("return function() return string.upper('b'), ('x'):upper(), math.pi > 3.14 end", chunk: "tags/b.lua")
        #expect(b == ["B", "X", true])
        fixture.expectHealthy()
    }

    @Test func stringMetatableCannotBeReplaced() throws {
        let error = luaError { try fixture.run("""
            return function()
              local mt = getmetatable("")
              mt.__index = {upper = function() return "pwned" end}
            end
            """, chunk: "tags/a.lua") }
        #expect(error?.description.contains("read-only") == true)
        let deeper = luaError { try fixture.run("return function() getmetatable('').__index.upper = nil end") }
        #expect(deeper?.description.contains("read-only") == true)
        let setmt = luaError { try fixture.run("return function() setmetatable(getmetatable(''), {}) end") }
        #expect(setmt?.description.contains("protected metatable") == true)
        let b = try fixture.run("return function() return ('b'):upper(), getmetatable('').__index == string end", chunk: "tags/b.lua")
        #expect(b == ["B", true])
        fixture.expectHealthy()
    }

    @Test func rawsetOnProtectedTableFails() throws {
        let error = luaError { try fixture.run("return function() rawset(string, 'upper', nil) end") }
        #expect(error?.description.contains("global 'rawset'") == true)
        let viaNext = try fixture.run("return function() return next(string), rawlen(string) end")
        #expect(viaNext == [.nil, 0])
        fixture.expectHealthy()
    }

    @Test func gcMetamethodIsRefused() throws {
        let error = luaError { try fixture.run("return function() setmetatable({}, {__gc = function() while true do end end}) end") }
        #expect(error?.description.contains("__gc") == true)
        // Adding __gc after setmetatable does not mark the table either:
        // nothing runs when it is collected outside the invocation.
        _ = try fixture.run("""
            return function()
              local mt = {} local t = setmetatable({}, mt)
              mt.__gc = function() while true do end end
            end
            """)
        fixture.expectHealthy()
    }

    @Test func closeMetamethodRunsOnlyInsideInvocations() throws {
        // A __close that loops while the invocation unwinds is still under budget.
        let error = luaError { try fixture.run("""
            return function()
              local x <close> = setmetatable({}, {__close = function() while true do end end})
              error("leaving")
            end
            """) }
        #expect(error?.budgetKind == .instructions)
        // A __close runs within its invocation (observable from the result).
        let results = try fixture.run("""
            closed = 0
            return function()
              do local x <close> = setmetatable({}, {__close = function() closed = closed + 1 end}) end
              return closed
            end
            """)
        #expect(results == [1])
        // A coroutine suspended with a pending <close> is never closed by the host.
        let pending = try fixture.run("""
            closed = 0
            co = coroutine.create(function()
              local x <close> = setmetatable({}, {__close = function() closed = closed + 1 end})
              coroutine.yield()
            end)
            coroutine.resume(co)
            return function() return closed end
            """)
        #expect(pending == [0])
        fixture.expectHealthy()
    }

    @Test func resultMetamethodsNeverRunInTheHost() throws {
        let ref = try fixture.vm.load(source: """
            local t = {a = 1, 2}
            return setmetatable(t, {
              __index = function() while true do end end,
              __pairs = function() error("pairs ran") end,
              __len = function() error("len ran") end,
              __newindex = function() error("newindex ran") end,
            })
            """, chunkName: "tags/meta.lua")
        #expect(try fixture.vm.value(ref) == .table(["1": 2, "a": 1]))
        #expect(try fixture.vm.field(ref, "missing") == nil)  // no __index loop
        let arrayLike = try fixture.vm.load(source: """
            return setmetatable({1, 2, 3}, {__len = function() while true do end end, __index = function() error("x") end})
            """, chunkName: "tags/meta2.lua")
        #expect(try fixture.vm.value(arrayLike) == [1, 2, 3])
        fixture.expectHealthy()
    }
}
