import LuaHost
import Testing

/// A hit's event: pushed once with `share`, read by every tag through a deep
/// read-only view.
let sharedEvent: LuaValue = [
    "name": "purchase", "count": 3, "price": 19.99, "neg": -0.5, "big": .int(Int64.max),
    "consent": true, "optout": false, "nothing": .null, "bytes": .bytes([0xFF, 0x00, 0x41]),
    "user_data": ["email": "someone@example.com", "address": ["city": "Berlin", "zip": "10115"]],
    "items": [["sku": "A", "price": 1.5, "qty": 2], ["sku": "B", "price": 2.25, "qty": 1]],
    "tags": ["x", "y", "z"],
    "empty": .table([:]),
]

/// Reads every kind of value of `sharedEvent` and returns what it saw.
private let readerScript = """
    return function(e)
      local items = {}
      for i, it in ipairs(e.items) do items[i] = {sku = it.sku, price = it.price, qty = it.qty} end
      local keys = {}
      for k, v in pairs(e) do keys[#keys + 1] = k .. ":" .. type(v) end
      table.sort(keys)
      local tags = {}
      for k, v in pairs(e.tags) do tags[k] = v end
      local emptyCount = 0
      for _ in pairs(e.empty) do emptyCount = emptyCount + 1 end
      local address = {}
      for k, v in pairs(e.user_data.address) do address[k] = v end
      return {
        name = e.name, count = e.count, price = e.price, neg = e.neg, big = e.big,
        consent = e.consent, optout = e.optout, isNull = e.nothing == hash.null,
        bytes = e.bytes, city = e.user_data.address.city, email = e.user_data.email,
        itemCount = #e.items, tagCount = #e.tags, emptyLen = #e.empty, emptyCount = emptyCount,
        firstPrice = e.items[1].price, secondSku = e.items[2].sku, items = items, keys = keys,
        tags = tags, concat = table.concat(e.tags, ","), unpacked = {table.unpack(e.tags)},
        missing = e.missing == nil, deepMissing = e.user_data.address.street == nil,
        outOfRange = e.items[3] == nil, mathType = math.type(e.count), address = address,
        upper = e.name:upper(), typeOfView = type(e), typeOfNested = type(e.user_data),
      }
    end
    """

@Suite struct SharedValueTests {
    let fixture: Fixture
    var vm: LuaVM { fixture.vm }

    init() throws { fixture = try Fixture(modules: [hashModule]) }

    /// Runs `source` (a chunk returning a function) on the shared `event`.
    func runShared(_ source: String, _ event: LuaRef, chunk: String = "tags/shared.lua") throws(LuaError) -> [LuaValue] {
        let function = try vm.load(source: source, chunkName: chunk)
        defer { vm.release(function) }
        return try vm.call(function, arguments: [.ref(event)], owner: chunk)
    }

    // MARK: - Reading

    @Test func everyKindReadsThroughTheViewAsOnTheOldPath() throws {
        let function = try vm.load(source: readerScript, chunkName: "tags/reader.lua")
        let old = try vm.call(function, [sharedEvent], owner: "tags/reader.lua")
        let event = try vm.share(sharedEvent)
        defer { vm.release(event) }
        let viaView = try vm.call(function, arguments: [.ref(event)], owner: "tags/reader.lua")
        #expect(viaView == old)
        let seen = try #require(viaView.first)
        #expect(seen["name"] == "purchase")
        #expect(seen["count"] == 3)
        #expect(seen["price"] == .double(19.99))
        #expect(seen["neg"] == .double(-0.5))
        #expect(seen["big"] == .int(Int64.max))
        #expect(seen["consent"] == true)
        #expect(seen["optout"] == false)
        #expect(seen["isNull"] == true)
        #expect(seen["bytes"] == .bytes([0xFF, 0x00, 0x41]))
        #expect(seen["city"] == "Berlin")
        #expect(seen["email"] == "someone@example.com")
        #expect(seen["itemCount"] == 2)
        #expect(seen["tagCount"] == 3)
        #expect(seen["emptyLen"] == 0)
        #expect(seen["emptyCount"] == 0)
        #expect(seen["firstPrice"] == .double(1.5))
        #expect(seen["secondSku"] == "B")
        #expect(seen["items"] == [["sku": "A", "price": 1.5, "qty": 2], ["sku": "B", "price": 2.25, "qty": 1]])
        #expect(seen["tags"] == ["x", "y", "z"])
        #expect(seen["concat"] == "x,y,z")
        #expect(seen["unpacked"] == ["x", "y", "z"])
        #expect(seen["missing"] == true)
        #expect(seen["deepMissing"] == true)
        #expect(seen["outOfRange"] == true)
        #expect(seen["mathType"] == "integer")
        #expect(seen["address"] == ["city": "Berlin", "zip": "10115"])
        #expect(seen["upper"] == "PURCHASE")
        #expect(seen["typeOfView"] == "table")
        #expect(seen["typeOfNested"] == "table")
        #expect(seen["keys"] == .array([
            "big:number", "bytes:string", "consent:boolean", "count:number", "empty:table",
            "items:table", "name:string", "neg:number", "nothing:userdata", "optout:boolean",
            "price:number", "tags:table", "user_data:table",
        ]))
    }

    @Test func theHostReadsTheRealValueBehindTheRef() throws {
        let event = try vm.share(sharedEvent)
        defer { vm.release(event) }
        #expect(vm.type(of: event) == .table)
        #expect(try vm.value(event) == sharedEvent)
        let name = try #require(try vm.field(event, "name"))
        #expect(try vm.value(name) == "purchase")
        let user = try #require(try vm.field(event, "user_data"))
        #expect(try vm.value(user) == sharedEvent["user_data"])
        #expect(try vm.field(user, "address").map { try vm.value($0) } == ["city": "Berlin", "zip": "10115"])
        // Scalars can be shared too (no view needed).
        let scalar = try vm.share("just a string")
        #expect(try vm.value(scalar) == "just a string")
        vm.release(scalar)
    }

    @Test func oneShareServesManyTagsAndMixedArguments() throws {
        let event = try vm.share(sharedEvent)
        defer { vm.release(event) }
        let tag = try vm.load(source: """
            return function(e, request, n) return e.name .. "/" .. request.path .. "/" .. n, e.user_data.address.city end
            """, chunkName: "tags/mixed.lua")
        for i in 0..<12 {
            let result = try vm.call(tag, arguments: [.ref(event), .value(["path": "/checkout"]), .value(.int(Int64(i)))],
                                     owner: "tags/mixed.lua")
            #expect(result == [.string("purchase//checkout/\(i)"), "Berlin"])
        }
        // The old entry point still works alongside.
        #expect(try vm.call(tag, [sharedEvent, ["path": "/x"], 1], owner: "tags/mixed.lua") == ["purchase//x/1", "Berlin"])
    }

    // MARK: - Writing

    @Test func everyWritePathFailsAndLeavesTheDataUnchanged() throws {
        let event = try vm.share(sharedEvent)
        defer { vm.release(event) }
        let writes = [
            "e.name = 'changed'",
            "e.fresh = 1",
            "e.nothing = nil",
            "e.user_data.email = nil",
            "e.user_data.address.city = 'Paris'",
            "e.user_data.address.street = 'Main'",
            "e.items[1] = 5",
            "e.items[3] = {}",
            "e.items[1].price = 0",
            "e.tags[2] = 'w'",
            "e.empty.x = 1",
            "e.empty[1] = 1",
            "table.insert(e.tags, 'w')",
            "table.insert(e.tags, 1, 'w')",
            "table.insert(e.empty, 'w')",
            "table.remove(e.tags)",
            "table.remove(e.tags, 1)",
            "table.remove(e.items, 1)",
            "table.sort(e.tags, function(a, b) return a > b end)",
            "table.move(e.tags, 1, 3, 2)",
            "table.move({'p', 'q'}, 1, 2, 1, e.tags)",
            "table.move(e.tags, 1, 3, 1, e.user_data)",
        ]
        for write in writes {
            let results = try runShared("""
                return function(e)
                  local ok, err = pcall(function() \(write) end)
                  return ok, tostring(err)
                end
                """, event)
            #expect(results.first == false, "\(write) succeeded")
            let message = results.count > 1 ? results[1].stringValue ?? "" : ""
            #expect(message.contains("attempt to modify a read-only table"), "\(write): \(message)")
            // A later tag (and the host) still see the original data.
            #expect(try vm.value(event) == sharedEvent, "\(write) changed the event")
        }
        // Unprotected, the error reaches the host with the script's position.
        let error = luaError { try runShared("return function(e) e.user_data.address.city = 'Paris' end", event, chunk: "tags/bad.lua") }
        #expect(error == .runtime("tags/bad.lua:1: attempt to modify a read-only table"))
        let reader = try vm.load(source: readerScript, chunkName: "tags/reader.lua")
        #expect(try vm.call(reader, arguments: [.ref(event)], owner: "r") == vm.call(reader, [sharedEvent], owner: "r"))
        fixture.expectHealthy()
    }

    @Test func metatableIsProtectedAndTheRealTableIsNeverExposed() throws {
        let event = try vm.share(sharedEvent)
        defer { vm.release(event) }
        let results = try runShared("""
            return function(e)
              local r = {}
              r.set = select(2, pcall(setmetatable, e, {}))
              r.setNested = select(2, pcall(setmetatable, e.user_data, nil))
              r.mt = getmetatable(e)
              r.mtNested = getmetatable(e.items[1])
              r.rawset = rawset == nil and rawget == nil
              -- next and rawlen see the content, as pairs and # do, and hand out views, never the real table
              local seen, viaNext = {}, {}
              for k, v in pairs(e) do seen[#seen + 1] = k .. ":" .. type(v) end
              local k, v = next(e)
              while k ~= nil do
                viaNext[#viaNext + 1] = k .. ":" .. type(v)
                if type(v) == "table" then
                  local ok, err = pcall(function() v.injected = 1 end)
                  if ok or not tostring(err):find("read-only", 1, true) then viaNext[#viaNext + 1] = "WRITABLE " .. k end
                end
                k, v = next(e, k)
              end
              table.sort(seen)
              table.sort(viaNext)
              r.next = table.concat(viaNext, ",") == table.concat(seen, ",") and #seen == 13
              r.nextOnPlain = next({}) == nil and next({a = 1}) == "a"
              r.rawlen = rawlen(e.tags) == 3 and rawlen(e.empty) == 0 and rawlen("abc") == 3 and rawlen({1, 2}) == 2
              r.rawlenError = select(2, pcall(rawlen, 5))
              r.nextError = select(2, pcall(next, "x"))
              local iter = pairs(e)
              r.foreignIterator = select(2, pcall(iter, {a = 1}, nil))
              local ok = pcall(function() local mt = getmetatable(e); return mt.__index end)
              r.indexOfMt = ok
              return r
            end
            """, event)
        let r = try #require(results.first)
        #expect(r["set"]?.stringValue?.contains("cannot change a protected metatable") == true)
        #expect(r["setNested"]?.stringValue?.contains("cannot change a protected metatable") == true)
        #expect(r["mt"] == "read-only table")
        #expect(r["mtNested"] == "read-only table")
        #expect(r["rawset"] == true)
        #expect(r["next"] == true)
        #expect(r["nextOnPlain"] == true)
        #expect(r["rawlen"] == true)
        #expect(r["rawlenError"]?.stringValue?.contains("table or string expected") == true)
        #expect(r["nextError"]?.stringValue?.contains("table expected, got string") == true)
        #expect(r["foreignIterator"]?.stringValue?.contains("read-only view expected") == true)
        // A string's __index is the string library: no way to the real table.
        #expect(r["indexOfMt"] == true)
        #expect(try vm.value(event) == sharedEvent)
    }

    // MARK: - Crossing back to the host

    @Test func nativeFunctionsReceiveTheRealValues() throws {
        let event = try vm.share(sharedEvent)
        defer { vm.release(event) }
        let results = try runShared("""
            return function(e)
              return hash.echo(e, e.user_data, e.items, e.items[2], e.tags, e.empty, e.name, e.nothing)
            end
            """, event)
        #expect(results == [
            sharedEvent, sharedEvent["user_data"]!, [["sku": "A", "price": 1.5, "qty": 2], ["sku": "B", "price": 2.25, "qty": 1]],
            ["sku": "B", "price": 2.25, "qty": 1], ["x", "y", "z"], .table([:]), "purchase", .null,
        ])
        let keys = try runShared("return function(e) return hash.keys(e.user_data) end", event)
        #expect(keys == [["address", "email"], 2])
        let fnv = try runShared("return function(e) return hash.sha256(e.user_data.email) end", event)
        #expect(fnv == ["h(someone@example.com)"])
    }

    @Test func aScriptReturningTheViewHandsOverTheRealContent() throws {
        let event = try vm.share(sharedEvent)
        defer { vm.release(event) }
        let results = try runShared("""
            return function(e)
              return e, e.user_data.address, {wrapped = e.items, again = e.items, list = {e.tags, e.empty}}
            end
            """, event)
        #expect(results.count == 3)
        #expect(results.first == sharedEvent)
        #expect(results.dropFirst().first == ["city": "Berlin", "zip": "10115"])
        let items = sharedEvent["items"]!
        #expect(results.last == ["wrapped": items, "again": items, "list": [["x", "y", "z"], .table([:])]])
        // A metamethod-bearing table of the script's own is still read raw.
        let own = try runShared("return function(e) return setmetatable({}, {__index = e}) end", event)
        #expect(own == [.table([:])])
    }

    // MARK: - Result value cache (string values reused across reads)

    @Test func repeatedStringValuesStayCorrectThroughTheValueCache() throws {
        let event = try vm.share(sharedEvent)
        defer { vm.release(event) }
        // Many distinct short strings: slots collide and get evicted.
        let many = try vm.load(source: """
            return function(e, salt)
              local t = {}
              for i = 1, 3000 do t[i] = salt .. i end
              t[3001] = e.name; t[3002] = e.user_data.email; t[3003] = e.bytes; t[3004] = string.rep("z", 100)
              -- Around the cache's length limit (Lua interns up to 40 bytes; longer strings are never cached).
              t[3005] = string.rep(salt, 40); t[3006] = string.rep(salt, 41); t[3007] = string.rep(salt, 64)
              return t
            end
            """, chunkName: "tags/many.lua")
        for round in 0..<3 {
            for salt in ["a", "b", "a"] {
                let result = try vm.call(many, arguments: [.ref(event), .value(.string(salt))], owner: "m")
                var expected: [LuaValue] = (1...3000).map { .string(salt + String($0)) }
                expected += ["purchase", "someone@example.com", .bytes([0xFF, 0x00, 0x41]), .string(String(repeating: "z", count: 100))]
                expected += [40, 41, 64].map { .string(String(repeating: salt, count: $0)) }
                #expect(result == [.array(expected)], "round \(round) salt \(salt)")
            }
        }
        // A conversion failure after some strings were written discards the
        // tape; the caches are reset and later reads stay right.
        let failing = try vm.load(source: """
            return function(e) return {e.name, e.user_data.email, {[true] = e.name}} end
            """, chunkName: "tags/fail.lua")
        let ok = try vm.load(source: "return function(e) return e.name, e.user_data.email, e.name end", chunkName: "tags/ok.lua")
        for _ in 0..<3 {
            #expect(luaError { try vm.call(failing, arguments: [.ref(event)], owner: "f") } != nil)
            #expect(try vm.call(ok, arguments: [.ref(event)], owner: "o") == ["purchase", "someone@example.com", "purchase"])
        }
        // Natives reading arguments share the same caches.
        let native = try vm.load(source: """
            return function(e) local a = hash.echo(e.name, e.user_data) return a, e.name, hash.echo(e.user_data.email) end
            """, chunkName: "tags/native.lua")
        for _ in 0..<3 {
            #expect(try vm.call(native, arguments: [.ref(event)], owner: "n") == ["purchase", "purchase", "someone@example.com"])
        }
    }

    // MARK: - Memory and lifetime

    @Test func sharingTooMuchIsAMemoryErrorAndTheVMStaysUsable() throws {
        let fixture = try Fixture(limits: LuaLimits(memoryPerVM: 8 << 20), modules: [hashModule])
        let vm = fixture.vm
        let filler = String(repeating: "x", count: 200)
        let huge: LuaValue = .array((0..<60_000).map { .string("\($0)" + filler) })
        let error = luaError { try vm.share(huge) }
        #expect(error == .memory, "got \(String(describing: error))")
        #expect(vm.memoryUsed < 2 << 20, "partial value not reclaimed: \(vm.memoryUsed)")
        fixture.expectHealthy()
        let event = try vm.share(sharedEvent)
        let reader = try vm.load(source: "return function(e) return e.user_data.address.city end", chunkName: "r.lua")
        #expect(try vm.call(reader, arguments: [.ref(event)], owner: "r.lua") == ["Berlin"])
        vm.release(event)
    }

    @Test func releasedSharesAreReclaimed() throws {
        vm.collectGarbage()
        let before = vm.memoryUsed
        let big: LuaValue = .array((0..<5_000).map { i in
            ["id": .int(Int64(i)), "text": .string(String(repeating: "y", count: 100) + "\(i)")]
        })
        let reader = try vm.load(source: "return function(e) return #e, e[5000].id end", chunkName: "r.lua")
        for _ in 0..<5 {  // a few hits in a row
            let event = try vm.share(big)
            #expect(vm.memoryUsed > before + 1_000_000)
            #expect(try vm.call(reader, arguments: [.ref(event)], owner: "r.lua") == [5000, 4999])
            vm.release(event)
            vm.collectGarbage()
            #expect(vm.memoryUsed < before + 64 * 1024, "leaked: \(vm.memoryUsed - before)")
        }
    }

    @Test func refsOfAnotherVMAreRefused() throws {
        let other = try LuaVM()
        let foreign = try other.share(sharedEvent)
        let tag = try vm.load(source: "return function(e) return e end", chunkName: "t.lua")
        let error = luaError { try vm.call(tag, arguments: [.ref(foreign)], owner: "t.lua") }
        #expect(error == .conversion("ref belongs to another LuaVM"))
        other.release(foreign)
    }

    // MARK: - Budgets and pool

    @Test func aKilledTagDoesNotSpoilTheSharedEventForTheNext() throws {
        let event = try vm.share(sharedEvent)
        defer { vm.release(event) }
        let spinner = luaError {
            try runShared("return function(e) while true do for k, v in pairs(e) do end end end", event, chunk: "tags/spin.lua")
        }
        #expect(spinner?.budgetKind == .instructions)
        let hog = luaError {
            try runShared("""
                return function(e) local t = {} while true do t[#t + 1] = {e.name, e.items[1].sku} end end
                """, event, chunk: "tags/hog.lua")
        }
        #expect(hog?.budgetKind == .memory)
        let reader = try vm.load(source: readerScript, chunkName: "tags/reader.lua")
        #expect(try vm.call(reader, arguments: [.ref(event)], owner: "r") == vm.call(reader, [sharedEvent], owner: "r"))
        #expect(try vm.value(event) == sharedEvent)
        fixture.expectHealthy()
    }

    @Test func poolHitsShareOncePerVM() async throws {
        let pool = try LuaVMPool(count: 2) { try LuaVM(limits: quickLimits, modules: [hashModule]) }
        let source = "return function(e, i) return e.user_data.address.city .. i, hash.sha256(e.name) end"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for hit in 0..<16 {
                group.addTask {
                    try await pool.withVM { vm in
                        let event = try vm.share(sharedEvent)
                        defer { vm.release(event) }
                        let tag = try vm.load(source: source, chunkName: "tags/pool.lua")
                        defer { vm.release(tag) }
                        for i in 0..<5 {
                            let result = try vm.call(tag, arguments: [.ref(event), .value(.int(Int64(hit * 10 + i)))],
                                                     owner: "tags/pool.lua")
                            #expect(result == [.string("Berlin\(hit * 10 + i)"), "h(purchase)"])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
