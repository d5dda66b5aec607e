import TestRandom
import LuaHost
import PinterestCAPI
import TagdJSON
import Testing
import UserDataHashing

@testable import TagRuntime

/// Reads argument 1 flat (defining cache entries), as a tree, and flat again (through the caches), and says
/// whether all three agree: the same value, or the same error message. Its third result says whether the value
/// was written flat in C (`LuaArguments.withFlat`) or read value by value through the tape.
let flatProbe = NativeModule(name: "probe", functions: [
    "read": { args in
        let first = Result { () throws(LuaArgumentError) in try FlatJSONReader.read(args, 1).jsonValue }
        let tree = Result { () throws(LuaArgumentError) in try args.value(1, as: JSONValue.self) }
        var reused = FlatJSON()
        let again = Result { () throws(LuaArgumentError) in
            try FlatJSONReader.read(args, 1, into: &reused)
            return reused.jsonValue
        }
        let route: LuaValue = args.withFlat(1, { _ in "flat" }).map(LuaValue.string) ?? "tape"
        switch (first, tree, again) {
        case (.success(let a), .success(let b), .success(let c)):
            return [.bool(a == b && c == b), .nil, route]
        case (.failure(let a), .failure(let b), .failure(let c)):
            return [.bool(a.message == b.message && c.message == b.message), .string(b.message), route]
        default:
            return [.bool(false), .string("one path failed, the other did not"), route]
        }
    }
])

/// The flat reading of `pinterest.send` and `hash.user_data` against the `JSONValue` reading it replaced.
@Suite struct FlatReadTests {
    let vm: LuaVM
    let services = RuntimeServices(delivery: RecordingDelivery(), now: { 1_767_225_600 }, vmCount: 1)

    init() throws {
        vm = try LuaVM(modules: [flatProbe, HashModule.make(services: services)])
    }

    func call(_ source: String, _ args: [LuaValue] = []) throws -> [LuaValue] {
        let function = try vm.load(source: source, chunkName: "tags/flat.lua")
        defer { vm.release(function) }
        return try vm.call(function, args, owner: "tags/flat.lua")
    }

    /// Flat reads and shares hand nodes over as bytes only when both sides lay them out alike; they are declared
    /// alike, so that is the route taken.
    @Test func flatNodesCrossAsTheyAre() {
        #expect(FlatJSON.nodeLayoutMatchesLua)
    }

    @Test func generatedTablesReadTheSameEitherWay() throws {
        var generator = SplitMix64(seed: 2026)
        var flat = 0
        for _ in 0..<400 {
            let json = ValueBridgeTests.tree(&generator, depth: 0)
            let results = try call("return function(t) return probe.read(t) end", [LuaValue(json)])
            #expect(results.first == .bool(true), "\(json.encodedString()) \(results)")
            if results.last == "flat" { flat += 1 }
        }
        #expect(flat > 200)  // both routes are compared: a declined value (a non-ASCII key, say) takes the tape
    }

    @Test func edgeCasesReadTheSameEitherWayAndErrorsKeepTheirWording() throws {
        let cases: [(String, String?)] = [
            (#"probe.read({[1] = "a", ["1"] = "b"})"#, "duplicate key '1' after conversion to string"),
            (#"probe.read({["\u{E9}"] = 1, ["e\u{301}"] = 2})"#, "duplicate key 'é' after conversion to string"),
            ("probe.read({ f = function() end })", "a function cannot be converted to JSON"),
            ("probe.read({ a = { b = { function() end } } })", "a function cannot be converted to JSON"),
            (#"probe.read({ a = { [2] = "x", [1] = function() end }, [1] = "y", ["1"] = 2 })"#, nil),
            (#"probe.read("\xff\xfe ok")"#, nil), (#"probe.read({ k = "\xff" })"#, nil),
            ("probe.read()", nil), ("probe.read(nil)", nil), ("probe.read(1.5)", nil), ("probe.read(2^53)", nil),
            ("probe.read({1, 2, 3})", nil), ("probe.read({})", nil), ("probe.read({[1.5] = 1, [2] = 2})", nil),
            ("probe.read({[true] = 1})", nil), ("probe.read({1, nil, 3})", nil), ("probe.read({ x = { y = {} } })", nil),
            ("local t = {} for i = 1, 40 do t['k' .. i] = i end return probe.read(t)", nil),
            ("local t = {} t.self = t return probe.read(t)", nil),
            // Nesting past the limit: the flat route declines, the tape reports it.
            ("local t = {} local c = t for i = 1, 1200 do c.x = {} c = c.x end return probe.read(t)", nil),
            ("local t = {} local c = t for i = 1, 1200 do c[1] = {} c = c[1] end return probe.read(t)", nil),
            // Large tables: keys checked in a set, not pairwise; a repeat late in a big table is still found.
            ("local t = {} for i = 1, 5000 do t[i * 2] = i end return probe.read(t)", nil),
            ("local t = {} for i = 1, 5000 do t[i * 2] = i end t['10000'] = 0 return probe.read(t)", nil),
            ("local t = {} for i = 1, 100 do t['k' .. i] = i end t['\u{E9}'] = 1 t['e\u{301}'] = 2 return probe.read(t)", nil),
            ("local t = {} for i = 1, 3000 do t['k' .. i] = i end return probe.read(t)", nil),
            // Sequences whose traversal is not 1, 2, ... n (keys in the hash part), and near-sequences.
            (#"probe.read({[2] = "b", [1] = "a"})"#, nil), (#"probe.read({[3] = "c", [1] = "a", [2] = "b"})"#, nil),
            (#"probe.read({[2] = {[2] = 2, [1] = 1}, [1] = {1, 2}})"#, nil),
            (#"probe.read({"a", "b", x = 1})"#, nil), (#"probe.read({[1] = "a", [2] = "b", [4] = "d"})"#, nil),
            (#"probe.read({[2] = "b", [1] = "a", [0] = "z"})"#, nil), ("probe.read({1, 2, [2.5] = 3})", nil),
            ("local t = {} for i = 1000, 1, -1 do t[i] = i end return probe.read(t)", nil),
            ("local t = {1, 2, 3, 4} t[2] = nil return probe.read(t)", nil),
        ]
        for (expression, message) in cases {
            let body = expression.hasPrefix("local") ? expression : "return \(expression)"
            let results = try call("return function() \(body) end")
            #expect(results.first == .bool(true), "\(expression): \(results)")
            if let message {
                #expect(results.dropFirst().first == .string("bad argument #1 to 'read' (\(message))"), "\(expression)")
            }
        }
    }

    /// Sequences whose traversal does not come 1, 2, ... n are still read flat, once each: a table whose first
    /// element sits in the array part and the rest in the hash part, nested 28 deep, would cost 2^28 if each level
    /// were written again after its order failed.
    @Test func sequencesOutOfTraversalOrderAreReadFlatOnce() throws {
        let cases = [
            #"probe.read({[2] = "b", [1] = "a"})"#,
            #"probe.read({"a", [3] = "c", [2] = "b"})"#,
            #"probe.read({{1, 2}, [3] = {[2] = 2, [1] = 1}, [2] = "x"})"#,
            "local function mk(d) if d == 0 then return 1 end return {mk(d - 1), [3] = 0, [2] = 0} end return probe.read(mk(28))",
            "local function mk(d) if d == 0 then return 'leaf' end return {[2] = 0, [1] = mk(d - 1)} end return probe.read({ x = mk(28) })",
        ]
        for expression in cases {
            let body = expression.hasPrefix("local") ? expression : "return \(expression)"
            let results = try call("return function() \(body) end")
            #expect(results.first == .bool(true), "\(expression): \(results)")
            #expect(results.last == "flat", "\(expression): \(results)")
        }
    }

    /// `json.encode` reads flat; it must write, and refuse, exactly what it did reading a `JSONValue` tree.
    @Test func jsonEncodeWritesWhatTheTreeReadingWrote() throws {
        let tree = NativeModule(name: "tree", scalarFunctions: [
            "encode": { args in LuaValue.string(try args.value(1, as: JSONValue.self).encodedString()) }
        ])
        let vm = try LuaVM(modules: [tree, JSONModule.make()])
        func compare(_ call: String, _ args: [LuaValue] = []) throws -> [LuaValue] {
            let function = try vm.load(source: """
                local function compare(...)
                  local a, b = { pcall(json.encode, ...) }, { pcall(tree.encode, ...) }
                  -- Both succeed with the same text, or both fail with the same message, word for word.
                  return a[1] == b[1] and a[2] == b[2], tostring(a[2]) .. " | " .. tostring(b[2])
                end
                return function(...) return \(call) end
                """, chunkName: "tags/encode.lua")
            defer { vm.release(function) }
            return try vm.call(function, args, owner: "tags/encode.lua")
        }
        var generator = SplitMix64(seed: 4242)
        for _ in 0..<400 {
            let json = ValueBridgeTests.tree(&generator, depth: 0)
            let results = try compare("compare(...)", [LuaValue(json)])
            #expect(results.first == .bool(true), "\(results)")
        }
        let expressions = [
            #"{[1] = "a", ["1"] = "b"}"#, "{ f = function() end }", #""\xff\xfe ok""#, #"{ k = "\xff" }"#, "nil", "",
            "1.5", "2^53", "{1, nil, 3}", "{}", "{[1.5] = 1, [2] = 2}", "{[true] = 1}", "json.null", "{ a = json.null }",
            "(function() local t = {} t.self = t return t end)()", "{ city = 'Zürich', n = -0.0, big = 1e300 }",
        ]
        for expression in expressions {
            let results = try compare("compare(\(expression))")
            #expect(results.first == .bool(true), "\(expression): \(results)")
        }
    }

    /// Which values the flat route takes, against a plain Lua statement of its rules over generated tables: strings
    /// of valid UTF-8, keys that are ASCII strings or exactly 1..n (n > 0), no function, no cycle. Tables mix
    /// string, integer and float keys, holes and sequences built out of traversal order, non-UTF-8 strings and
    /// non-ASCII keys, shared subtables and cycles; every value also reads the same by either route.
    @Test func theFlatRouteTakesWhatItsRulesAllow() throws {
        let generate = try vm.load(source: #"""
            local seed, made = 0, {}
            local function rnd(n) seed = (seed * 1103515245 + 12345) % 2147483648 return (seed // 65536) % n end
            local long = "a string of more than forty bytes, long enough to skip caches"
            local strings = { "", "a", "key", "event_name", "é", "日本語", "x\xff", "\xc3", "\xed\xa0\x80", long }
            local valid = { [""] = true, a = true, key = true, event_name = true, ["é"] = true, ["日本語"] = true,
              ["x\xff"] = false, ["\xc3"] = false, ["\xed\xa0\x80"] = false, [long] = true }
            local keys = { "a", "b", "user_data", "k1", "k2", "é", "\xff", long }
            local function gen(d)
              local k = rnd(d > 3 and 6 or 13)
              if k == 0 then return rnd(2) == 0 end
              if k == 1 then return rnd(1000) - 500 end
              if k == 2 then return rnd(1000) / 8 end
              if k == 3 or k == 4 then return strings[rnd(#strings) + 1] end
              if k == 5 then if rnd(40) == 0 then return function() end end return "f" end
              local t = {}
              made[#made + 1] = t
              if k <= 7 then  -- a sequence, maybe built backwards, maybe with a hole or an extra key
                local n = rnd(5)
                if rnd(2) == 0 then for i = 1, n do t[i] = gen(d + 1) end
                else for i = n, 1, -1 do t[i] = gen(d + 1) end end
                local odd = rnd(8)
                if odd == 0 and n > 1 then t[rnd(n) + 1] = nil
                elseif odd == 1 then t[n + 2] = 1
                elseif odd == 2 then t[0] = 1
                elseif odd == 3 then t[1.5] = 1
                elseif odd == 4 then t.x = 1 end
              elseif k <= 11 then  -- string keys, now and then another kind
                for _ = 1, rnd(5) do t[keys[rnd(#keys) + 1]] = gen(d + 1) end
                local odd = rnd(10)
                if odd == 0 then t[rnd(3) + 1] = 1 elseif odd == 1 then t[true] = 1 end
              else  -- a table made before: shared, or (when it is an ancestor) a cycle
                t.ref = made[rnd(#made) + 1]
              end
              return t
            end
            local function ascii(s) return not s:find("[\x80-\xff]") end
            local function accepts(v, path)
              local ty = type(v)
              if ty == "string" then return valid[v] ~= false end
              if ty ~= "table" then return ty ~= "function" end
              if path[v] then return false end
              local n, sequence, named = 0, true, true
              for _ in next, v do n = n + 1 end
              for key in next, v do
                if math.type(key) == "integer" then
                  named = false
                  if key < 1 or key > n then sequence = false end
                else
                  sequence = false
                  if type(key) ~= "string" or not ascii(key) then named = false end
                end
              end
              if not ((n > 0 and sequence) or named) then return false end
              path[v] = true
              for _, x in next, v do
                if not accepts(x, path) then path[v] = nil return false end
              end
              path[v] = nil
              return true
            end
            return function(s)
              seed, made = s, {}
              local v = gen(0)
              local same, message, route = probe.read(v)
              local function dump(x, d)
                if type(x) ~= "table" then return type(x) == "string" and ("%q"):format(x) or tostring(x) end
                if d > 6 then return "..." end
                local parts = {}
                for k, y in next, x do parts[#parts + 1] = "[" .. dump(k, d + 1) .. "]=" .. dump(y, d + 1) end
                return "{" .. table.concat(parts, ",") .. "}"
              end
              return same, message, route, accepts(v, {}) and "flat" or "tape", dump(v, 0)
            end
            """#, chunkName: "tags/generate.lua")
        defer { vm.release(generate) }
        var routes: [LuaValue: Int] = [:]
        for seed in 1...800 {
            let results = try vm.call(generate, [.int(Int64(seed))], owner: "tags/generate.lua")
            #expect(results.count == 5 && results[0] == .bool(true), "seed \(seed): \(results)")
            #expect(results.count == 5 && results[2] == results[3], "seed \(seed): \(results)")
            routes[results.count == 5 ? results[3] : .nil, default: 0] += 1
        }
        // Both routes are taken often enough to compare.
        #expect(routes["flat", default: 0] > 150 && routes["tape", default: 0] > 150, "\(routes)")
    }

    @Test func whatTheFlatRouteDeclinesTakesTheTape() throws {
        let cases: [(String, String)] = [
            ("{ a = 1, b = { 'x', true, 2.5 }, c = {} }", "flat"), ("'text'", "flat"), ("nil", "flat"),
            ("{ ['\u{E9}'] = 1 }", "tape"), (#"{ k = '\xff' }"#, "tape"), ("{ [1.5] = 1 }", "tape"),
            ("{ f = print or function() end }", "tape"), ("(function() local t = {} t.t = t return t end)()", "tape"),
            (String(repeating: "{ ", count: 20) + "1" + String(repeating: " }", count: 20), "flat"), ("", "tape"),
            ("{ city = 'Zürich' }", "flat"),
        ]
        for (argument, route) in cases {
            let results = try call("return function() return probe.read(\(argument)) end")
            #expect(results.first == .bool(true), "\(argument): \(results)")
            #expect(results.last == .string(route), "\(argument)")
        }
    }

    @Test func aSharedEventReadsFlatThroughItsViews() throws {
        let event = try vm.share(JSONValue.object(["user_data": ["em": "a@b.co", "address": ["city": "Paris"]],
                                                   "items": [["id": "1"], ["id": "2"]]]))
        defer { vm.release(event) }
        let function = try vm.load(source: "return function(ev) return probe.read(ev) end", chunkName: "tags/flat.lua")
        defer { vm.release(function) }
        let results = try vm.call(function, arguments: [.ref(event)], owner: "tags/flat.lua")
        #expect(results.first == .bool(true))
        #expect(results.last == "flat")
    }

    @Test func hashUserDataReturnsWhatTheHasherMakes() throws {
        let hasher = UserDataHasher(normalizer: services.normalizer)
        var generator = SplitMix64(seed: 77)
        for _ in 0..<400 {
            let userData = Self.userData(&generator)
            var expected: JSONValue?, expectedError = ""
            do {
                expected = .object(try hasher.hash(userData))
            } catch {
                expectedError = "\(error)"
            }
            var got: JSONValue?, gotError = ""
            do {
                let results = try call("return function(t) return hash.user_data(t) end", [LuaValue(JSONValue.object(userData))])
                got = Self.json(results.first ?? .nil)
            } catch {
                gotError = "\(error)"
            }
            #expect(got == expected, "\(JSONValue.object(userData).encodedString())")
            #expect(gotError.hasSuffix(expectedError), "\(gotError) vs \(expectedError)")
            #expect((got == nil) == (expected == nil))
        }
    }

    @Test func hashUserDataRefusesWhatItRefusedBefore() throws {
        for (argument, message) in [
            ("'x'", "bad argument #1 to 'user_data' (table expected, got string)"),
            ("", "bad argument #1 to 'user_data' (table expected, got null)"),
            ("{ em = function() end }", "bad argument #1 to 'user_data' (a function cannot be converted to JSON)"),
            ("{ em = true }", #"user_data: field "em" cannot be a boolean"#),
            ("{ nope = 1 }", #"user_data: unknown field "nope""#),
        ] {
            let error = try #require(throws: LuaError.self) { try call("return function() return hash.user_data(\(argument)) end") }
            #expect(error.description.contains(message), "\(error)")
        }
    }

    /// A Lua table read back, as JSON (tables as objects, sequences as arrays).
    static func json(_ value: LuaValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .array(let a): return .array(a.map(json))
        case .table(let t): return .object(t.mapValues(json))
        default: return .null
        }
    }

    /// Random user data: every field, plain, hashed and already-hashed values, numbers, arrays, bad types.
    static func userData(_ g: inout SplitMix64) -> [String: JSONValue] {
        let keys = ["em", "ph", "fn", "ln", "ct", "st", "zp", "country", "external_id", "ge", "db", "hashed_maids",
                    "client_ip_address", "client_user_agent", "click_id", "partner_id"]
        let wire = SHA256Hex.hash("a@b.co")
        let values: [JSONValue] = [
            " John@Example.com ", "+1 (650) 555-1212", 2108, 12.5, .string(wire), .string(wire.uppercased()), "", "  ",
            "San Francisco", "ca", "1990-01-31", "f", "Mozilla/5.0 (X11)", " 10.0.0.1 ", .null,
            [.string(wire), .string(wire)], ["a@b.co", " A@B.CO "], [.string(wire)],
        ]
        var out: [String: JSONValue] = [:]
        for _ in 0..<Int(g.next() % 7) {
            out[keys[Int(g.next() % UInt64(keys.count))]] = values[Int(g.next() % UInt64(values.count))]
        }
        switch g.next() % 20 {
        case 0: out["bogus"] = 1
        case 1: out["em"] = true
        case 2: out["ph"] = [[1]]
        case 3: out["client_user_agent"] = ["x"]
        default: break
        }
        return out
    }
}

/// `pinterest.send` through a tag: the same answers to the script as when it read trees.
@Suite struct FlatSendTests {
    /// The same answers and deliveries whether the sends are kept for the hit's report (`tagd run`, tag tests) or
    /// not (the server: the event is then read into the VM's reused document).
    @Test(arguments: [true, false]) func sendAnswersAsBefore(recordsConversions: Bool) async throws {
        let delivery = RecordingDelivery()
        var services = RuntimeServices(delivery: delivery, now: { 1_767_225_600 }, vmCount: 1)
        services.recordsConversions = recordsConversions
        let source = #"""
            local config = { ad_account_id = 549755885175, token = "t" }
            local function try(f)
              local ok, a, b = pcall(f)
              return tostring(ok) .. "|" .. tostring(a) .. "|" .. tostring(b)
            end
            local valid = { event_name = "checkout", action_source = "web", event_time = 1767225600, event_id = "e-1",
              user_data = { em = " John@Example.com ", client_ip_address = "203.0.113.7", client_user_agent = "UA" },
              custom_data = { value = "10.50", currency = "USD", content_ids = { "a", "b" } } }
            return { trigger = { events = { "*" } }, fire = function()
              return table.concat({
                try(function() return pinterest.send(config, "x") end),
                try(function() return pinterest.send(config, { f = function() end }) end),
                try(function() return pinterest.send(config) end),
                try(function() return pinterest.send({}, {}) end),
                try(function() return pinterest.send("x", {}) end),
                try(function() return pinterest.send(config, { event_name = "checkout" }) end),
                try(function() return pinterest.send(config, { user_data = { em = true } }) end),
                try(function() return pinterest.send(config, { [1] = "a", ["1"] = "b" }) end),
                try(function() return pinterest.send(config, valid) end),
              }, "\n")
            end }
            """#
        let engine = try TagEngine(bundle: TagBundle(tags: [TagFile(path: "tags/s.lua", source: source)], templates: []), services: services)
        let result = await engine.process(event: ["event_name": "purchase"])
        let run = try #require(result.tagRuns.first)
        let lines = (run.outcome ?? "").split(separator: "\n").map(String.init)
        #expect(lines.count == 9, "\(run)")
        guard lines.count == 9 else { return }
        #expect(lines[0].hasPrefix("false|") && lines[0].hasSuffix("bad argument #2 to 'send' (table expected, got string)|nil"))
        #expect(lines[1].hasSuffix("bad argument #2 to 'send' (a function cannot be converted to JSON)|nil"))
        #expect(lines[2].hasSuffix("bad argument #2 to 'send' (table expected, got null)|nil"))
        #expect(lines[3].hasSuffix("pinterest.send: config.ad_account_id is required|nil"))
        #expect(lines[4].hasSuffix("bad argument #1 to 'send' (table expected, got string)|nil"))
        #expect(lines[5].hasPrefix("true|nil|event breaks Pinterest's contract: "))
        #expect(lines[6] == #"true|nil|user_data: field "em" cannot be a boolean"#)
        #expect(lines[7].hasSuffix("bad argument #2 to 'send' (duplicate key '1' after conversion to string)|nil"))
        #expect(lines[8] == "true|true|queued")

        // What the hit reports is what was delivered: user data hashed, kinds kept.
        let record = try #require(delivery.recorded.first)
        #expect(delivery.recorded.count == 1)
        #expect(record.event["user_data"]?["em"] == ["855f96e983f1f8e8be944692b6f719fd54329826cb62e98015efee8e2e071dd4"])
        #expect(record.event["event_time"] == .int(1_767_225_600))
        guard recordsConversions else {
            #expect(run.conversions.isEmpty)
            return
        }
        #expect(run.conversions.count == 3)
        #expect(run.conversions.last?.event == record.event)
        #expect(run.conversions.first?.event["event_name"] == "checkout")
        #expect(run.conversions.first?.outcome.hasPrefix("event breaks Pinterest's contract") == true)
    }
}

/// Sends in a row through the VM's reused documents: each delivered event is its own, whatever the one before
/// left in the scratch (hashed here, already in wire form, failed, refused by the contract).
@Suite struct RepeatedSendTests {
    @Test(arguments: [true, false]) func eachSendDeliversItsOwnEvent(recordsConversions: Bool) async throws {
        let delivery = RecordingDelivery()
        var services = RuntimeServices(delivery: delivery, now: { 1_767_225_600 }, vmCount: 1)
        services.recordsConversions = recordsConversions
        let hashed = String(repeating: "ab", count: 32)
        let source = #"""
            local config = { ad_account_id = "549755885175", token = "t" }
            local function event(id, user_data)
              return { event_name = "checkout", action_source = "web", event_time = 1767225600, event_id = id,
                user_data = user_data, custom_data = { currency = "USD", value = "1" } }
            end
            return { trigger = { events = { "*" } }, fire = function()
              local out = {}
              local function send(e) local ok, r = pinterest.send(config, e); out[#out + 1] = tostring(r) end
              send(event("1", { em = "a@example.com", ph = "+1 650 555 1212", client_ip_address = "10.0.0.1" }))
              send(event("2", { em = "b@example.com" }))
              send(event("3", { em = { "\#(hashed)" } }))
              send(event("4", { em = true }))
              send(event("5", { external_id = "x", client_ip_address = "10.0.0.2", client_user_agent = " UA " }))
              send(event("6", nil))
              send(event("7", { em = " C@Example.com" }))
              return table.concat(out, ",")
            end }
            """#
        let engine = try TagEngine(bundle: TagBundle(tags: [TagFile(path: "tags/s.lua", source: source)], templates: []), services: services)
        let result = await engine.process(event: ["event_name": "purchase"])
        let run = try #require(result.tagRuns.first)
        #expect(run.outcome == #"queued,queued,queued,user_data: field "em" cannot be a boolean,queued,"#
            + #"event breaks Pinterest's contract: user_data: required field missing,queued"#)
        let events = delivery.recorded.map(\.event)
        #expect(events.map { $0["event_id"] } == ["1", "2", "3", "5", "7"])
        guard events.count == 5 else { return }
        let sha = { (text: String) in JSONValue.array([.string(SHA256Hex.hash(text))]) }
        #expect(events[0]["user_data"] == .object([
            "em": sha("a@example.com"), "ph": sha("16505551212"), "client_ip_address": "10.0.0.1"]))
        #expect(events[1]["user_data"] == .object(["em": sha("b@example.com")]))
        #expect(events[2]["user_data"] == .object(["em": .array([.string(hashed)])]))
        #expect(events[3]["user_data"] == .object([
            "external_id": sha("x"), "client_ip_address": "10.0.0.2", "client_user_agent": "UA"]))
        #expect(events[4]["user_data"] == .object(["em": sha("c@example.com")]))
        for event in events { #expect(event["custom_data"] == .object(["currency": "USD", "value": "1"])) }
    }
}

/// `pinterest.send` reuses the destination it read from an unchanged config, and reads a changed one again.
@Suite struct SendConfigTests {
    @Test func aChangedConfigIsReadAgain() async throws {
        let delivery = RecordingDelivery()
        let services = RuntimeServices(delivery: delivery, now: { 1_767_225_600 }, vmCount: 1)
        let source = #"""
            local config = { ad_account_id = "111", token = "t" }
            local n = 0
            local function event()
              n = n + 1
              return { event_name = "checkout", action_source = "web", event_time = 1767225600, event_id = "e-" .. n,
                user_data = { em = "a@b.co", client_ip_address = "203.0.113.7", client_user_agent = "UA" } }
            end
            return { trigger = { events = { "*" } }, fire = function()
              local answers = {}
              for _, account in ipairs({ "111", "111", "222", "222", "111" }) do
                config.ad_account_id = account
                answers[#answers + 1] = select(2, pinterest.send(config, event()))
              end
              config.test = true
              answers[#answers + 1] = select(2, pinterest.send(config, event()))
              answers[#answers + 1] = select(2, pcall(pinterest.send, { ad_account_id = "x1" }, event()))
              return table.concat(answers, ",")
            end }
            """#
        let engine = try TagEngine(
            bundle: TagBundle(tags: [TagFile(path: "tags/c.lua", source: source)], templates: []), services: services)
        let result = await engine.process(event: ["event_name": "purchase"])
        let run = try #require(result.tagRuns.first)
        #expect(run.error == nil, "\(run.error ?? "")")
        let outcome = run.outcome ?? ""
        #expect(outcome.hasPrefix("queued,queued,queued,queued,queued,queued,"), "\(outcome)")
        #expect(outcome.hasSuffix("ad account ID must be 1 to 18 digits, got 'x1'"), "\(outcome)")
        let sent = delivery.recorded.map { "\($0.destination.adAccountID)\($0.destination.testMode ? "t" : "")" }
        #expect(sent == ["111", "111", "222", "222", "111", "111t"])
    }
}
