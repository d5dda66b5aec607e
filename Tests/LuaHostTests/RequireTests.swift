import LuaHost
import Synchronization
import Testing

@Suite struct RequireTests {
    final class Lookups: Sendable {
        let names = Mutex<[String]>([])
        func append(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }
    let lookups = Lookups()
    let vm: LuaVM

    init() throws {
        let sources: [String: String] = [
            "shop.util": "local M = {greeting = 'hi', nested = {value = 1}}\nfunction M.greet(n) return M.greeting .. ' ' .. n end\nreturn M",
            "broken": "local x = nil\nreturn x.field",
            "plain": "return 42",
            "loop": "while true do end",
            "bytecode": "\u{1B}Lua",
        ]
        let lookups = self.lookups
        vm = try LuaVM(limits: quickLimits, moduleSource: { name in
            lookups.append(name)
            guard let source = sources[name] else { return nil }
            return (source, "templates/" + name.replacingOccurrences(of: ".", with: "/") + ".lua")
        })
    }

    func run(_ source: String, chunk: String = "tags/t.lua") throws(LuaError) -> [LuaValue] {
        let f = try vm.load(source: source, chunkName: chunk)
        return try vm.call(f, [], owner: chunk)
    }

    @Test func loadsFromProviderOncePerVM() throws {
        let first = try run("return function() local u = require('shop.util') return u.greet('bob'), require('shop.util') == u end")
        #expect(first == ["hi bob", true])
        _ = try run("return function() return require('shop.util').greeting end", chunk: "tags/other.lua")
        #expect(try run("return function() return require('plain') end") == [42])
        #expect(lookups.all == ["shop.util", "plain"])
    }

    @Test func badNamesAreRefusedWithoutAskingTheProvider() {
        for name in ["../secret", "a/b", "a..b", ".a", "a.", "", "a b", "a\\\\b"] {
            let error = luaError { try run("return function() return require('\(name)') end") }
            #expect(error?.description.contains("invalid module name") == true, "\(name): \(String(describing: error))")
        }
        #expect(lookups.all.isEmpty)
    }

    @Test func unknownModuleIsNotFound() {
        let error = luaError { try run("return function() return require('nope') end") }
        #expect(error?.description.contains("module 'nope' not found") == true)
    }

    @Test func moduleValueIsIsolatedBetweenScripts() throws {
        let write = luaError { try run("return function() require('shop.util').greeting = 'pwned' end", chunk: "tags/a.lua") }
        #expect(write?.description.contains("read-only") == true)
        let nested = luaError { try run("return function() require('shop.util').nested.value = 2 end", chunk: "tags/a.lua") }
        #expect(nested?.description.contains("read-only") == true)
        let b = try run("return function() local u = require('shop.util') return u.greeting, u.nested.value, u.greet('x') end", chunk: "tags/b.lua")
        #expect(b == ["hi", 1, "hi x"])
        let pairsResult = try run("""
            return function()
              local n = 0 for k, v in pairs(require('shop.util')) do n = n + 1 end
              return n
            end
            """)
        #expect(pairsResult == [3])
    }

    @Test func moduleErrorsNameTheModuleChunkAndAreNotCached() {
        let error = luaError { try run("return function() return require('broken') end") }
        #expect(error?.description.hasPrefix("templates/broken.lua:2:") == true, "\(String(describing: error))")
        _ = luaError { try run("return function() return require('broken') end") }
        #expect(lookups.all == ["broken", "broken"])
    }

    @Test func moduleRunsUnderTheCallersBudget() throws {
        let error = luaError { try run("return function() return require('loop') end", chunk: "tags/req.lua") }
        #expect(error == .budget(script: "tags/req.lua", kind: .instructions, limit: 2_000_000))
        #expect(try run("return function() return require('plain') end") == [42])
    }

    @Test func moduleBytecodeIsRefused() {
        let error = luaError { try run("return function() return require('bytecode') end") }
        #expect(error?.description.contains("bytecode") == true)
    }
}
