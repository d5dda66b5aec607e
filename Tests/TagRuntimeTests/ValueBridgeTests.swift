import TestRandom
import LuaHost
import TagdJSON
import Testing

@testable import TagRuntime

/// JSON crosses into Lua written straight from the tree; it must read exactly as its `LuaValue` copy did.
@Suite struct ValueBridgeTests {
    @Test func jsonSharesAsItsLuaValueCopy() throws {
        let vm = try LuaVM()
        var generator = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let json = Self.tree(&generator, depth: 0)
            let direct = try vm.share(json)
            let copied = try vm.share(LuaValue(json))
            #expect(try vm.value(direct) == vm.value(copied), "\(json)")
            vm.release(direct)
            vm.release(copied)
        }
    }

    /// Intake's events cross as flat documents (parsed straight from the body): the same tables in Lua.
    @Test func flatJSONSharesAsItsTree() throws {
        let vm = try LuaVM()
        var generator = SplitMix64(seed: 17)
        for _ in 0..<300 {
            let json = Self.tree(&generator, depth: 0)
            let text = json.encoded()
            for (flat, tree) in [(FlatJSON(json), json), (try FlatJSON.parse(text), try JSONValue.parse(text))] {
                let direct = try vm.share(flat)
                let copied = try vm.share(tree)
                #expect(try vm.value(direct) == vm.value(copied), "\(json)")
                vm.release(direct)
                vm.release(copied)
            }
        }
        #expect(FlatJSON(["event_name": "purchase", "n": 1]).eventName == "purchase")
        #expect(FlatJSON(["event_name": 5]).eventName == "")
        #expect(FlatJSON([1, 2]).eventName == "")
    }

    /// The engine shares a flat event from its nodes (`FlatJSON.share(in:readOnly:)`), not through the tape:
    /// as a view for trigger functions, as plain tables for each tag that fires.
    @Test(arguments: [true, false])
    func flatJSONSharedFromItsNodesReadsAsTheTape(readOnly: Bool) throws {
        let vm = try LuaVM()
        var generator = SplitMix64(seed: 29)
        let documents = try (0..<300).map { _ in try FlatJSON.parse(Self.tree(&generator, depth: 0).encoded()) }
            + [FlatJSON(), FlatJSON(["k\u{301}": ["\u{E9}": .null, "": [1.5, "x"]]]), try FlatJSON.parse(Array("[[],{}]".utf8))]
        for flat in documents {
            let nodes = try flat.share(in: vm, readOnly: readOnly)
            let tape = try vm.share(flat, readOnly: readOnly)
            #expect(try vm.value(nodes) == vm.value(tape), "\(flat.jsonValue)")
            vm.release(nodes)
            vm.release(tape)
        }
        var deep: JSONValue = "leaf"
        for _ in 0..<40 { deep = ["x": deep] }
        let tooDeep = FlatJSON(deep)
        var errors: [String] = []
        for share in [{ try tooDeep.share(in: vm, readOnly: readOnly) }, { try vm.share(tooDeep, readOnly: readOnly) }] {
            do {
                _ = try share()
                Issue.record("a 41-deep event was shared")
            } catch { errors.append("\(error)") }
        }
        #expect(errors.count == 2 && errors[0] == errors[1], "\(errors)")
    }

    @Test func theBenchmarkHitReadsTheSameThroughEitherPath() throws {
        let vm = try LuaVM()
        let hit = try JSONValue.parse(#"""
            {"event_name":"purchase","value":72.39,"n":3,"ok":true,"none":null,"user_data":{"email_address":"a@b.c",
             "address":{"city":"San Francisco"}},"items":[{"item_id":"SKU-1","price":19.99,"quantity":2}],"empty":{},"list":[]}
            """#)
        let function = try vm.load(source: """
            return function(e)
              return e.event_name, e.value, math.type(e.n), e.ok, e.user_data.address.city, e.items[1].price, #e.items,
                next(e.empty) == nil, #e.list, type(e.none)
            end
            """, chunkName: "tags/read.lua")
        let direct = try vm.share(hit)
        let copied = try vm.share(LuaValue(hit))
        let flat = try vm.share(try FlatJSON.parse(hit.encoded()))
        let nodes = try FlatJSON.parse(hit.encoded()).share(in: vm, readOnly: true)
        let plainNodes = try FlatJSON.parse(hit.encoded()).share(in: vm, readOnly: false)
        let plainTape = try vm.share(hit, readOnly: false)
        let seen = try vm.call(function, arguments: [.ref(direct)], owner: "tags/read.lua")
        for other in [copied, flat, nodes, plainNodes, plainTape] {
            #expect(seen == (try vm.call(function, arguments: [.ref(other)], owner: "tags/read.lua")))
        }
        #expect(seen == ["purchase", .double(72.39), "integer", true, "San Francisco", .double(19.99), 1, true, 0, "userdata"])
    }

    /// Random JSON: every kind of scalar, nested arrays and objects, empty containers.
    static func tree(_ g: inout SplitMix64, depth: Int) -> JSONValue {
        switch g.next() % (depth > 4 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(g.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: g.next()))
        case 3: return .double(Double(g.next() % 100_000) / 7)
        case 4: return .string(String(repeating: "é", count: Int(g.next() % 3)) + "k\(g.next() % 1000)")
        case 5: return .array((0..<Int(g.next() % 4)).map { _ in tree(&g, depth: depth + 1) })
        default:
            var fields: [String: JSONValue] = [:]
            for i in 0..<Int(g.next() % 5) { fields["f\(i)_\(g.next() % 50)"] = tree(&g, depth: depth + 1) }
            return .object(fields)
        }
    }
}

