import LuaHost
import Testing

/// A caller's own tree, written with `LuaTapeWriter` instead of being copied into a `LuaValue`.
private indirect enum Tree: LuaTapeEncodable {
    case leaf(LuaValue)
    case list([Tree])
    case record([(String, Tree)])

    func encode(to writer: inout LuaTapeWriter) throws(LuaError) {
        switch self {
        case .leaf(let value): try value.encode(to: &writer)
        case .list(let items):
            try writer.writeArray(count: items.count) { (writer) throws(LuaError) in
                for item in items { try item.encode(to: &writer) }
            }
        case .record(let fields):
            try writer.writeTable(count: fields.count) { (writer) throws(LuaError) in
                for (key, value) in fields {
                    try writer.writeKey(key)
                    try value.encode(to: &writer)
                }
            }
        }
    }

    /// The same tree as a `LuaValue`.
    var luaValue: LuaValue {
        switch self {
        case .leaf(let value): return value
        case .list(let items): return .array(items.map(\.luaValue))
        case .record(let fields):
            return .table(Dictionary(fields.map { ($0.0, $0.1.luaValue) }, uniquingKeysWith: { _, last in last }))
        }
    }

    static func nested(_ depth: Int) -> Tree { depth == 0 ? .leaf(1) : .list([nested(depth - 1)]) }
}

@Suite struct LuaTapeWriterTests {
    let fixture: Fixture
    var vm: LuaVM { fixture.vm }

    init() throws { fixture = try Fixture(modules: [hashModule]) }

    /// Every primitive, written directly, reads in Lua and back in the host as the equivalent `LuaValue`.
    @Test func aWrittenTreeSharesAsItsLuaValueDoes() throws {
        let tree = Tree.record([
            ("name", .leaf("purchase")), ("count", .leaf(3)), ("price", .leaf(19.99)), ("ok", .leaf(true)),
            ("no", .leaf(false)), ("nothing", .leaf(.null)), ("big", .leaf(.int(Int64.min))),
            ("user", .record([("email", .leaf("a@example.com")), ("address", .record([("city", .leaf("Berlin"))]))])),
            ("items", .list([.record([("sku", .leaf("A"))]), .record([("sku", .leaf("B"))])])),
            ("empty", .record([])), ("tags", .list([.leaf("x"), .leaf("y")])),
        ])
        let direct = try vm.share(tree)
        defer { vm.release(direct) }
        let copied = try vm.share(tree.luaValue)
        defer { vm.release(copied) }
        #expect(try vm.value(direct) == tree.luaValue)
        #expect(try vm.value(direct) == vm.value(copied))

        let reader = try vm.load(source: """
            return function(e)
              local keys = {}
              for k, v in pairs(e) do keys[#keys + 1] = k .. ":" .. type(v) end
              table.sort(keys)
              return table.concat(keys, ","), e.user.address.city, #e.items, e.items[2].sku, e.nothing == hash.null,
                pcall(function() e.name = "changed" end)
            end
            """, chunkName: "tags/writer.lua")
        defer { vm.release(reader) }
        let seen = try vm.call(reader, arguments: [.ref(direct)], owner: "tags/writer.lua")
        let expected = try vm.call(reader, arguments: [.ref(copied)], owner: "tags/writer.lua")
        #expect(seen == expected)
        #expect(seen.prefix(5) == [
            "big:number,count:number,empty:table,items:table,name:string,no:boolean,nothing:userdata,ok:boolean,price:number,tags:table,user:table",
            "Berlin", 2, "B", true,
        ])
        #expect(seen[5] == false, "the written tree is read-only in Lua, as a shared LuaValue is")
    }

    /// Depth is limited as for `LuaValue`: the same message, and the VM stays usable.
    @Test func nestingDeeperThanTheLimitIsRefused() throws {
        let limit = quickLimits.maxResultDepth
        let fits = try vm.share(Tree.nested(limit - 1))
        vm.release(fits)
        #expect(throws: LuaError.conversion("table nesting deeper than \(limit)")) { try vm.share(Tree.nested(limit + 1)) }
        #expect(throws: LuaError.conversion("table nesting deeper than \(limit)")) { try vm.share(Tree.nested(limit + 1).luaValue) }
        let after = try vm.share(Tree.leaf("still fine"))
        #expect(try vm.value(after) == "still fine")
        vm.release(after)
    }
}

/// A caller's own tree, read out of Lua directly (`LuaTapeDecodable`).
private enum Plain: LuaTapeDecodable, Equatable {
    case none, null, flag(Bool), integer(Int64), number(Double), text(String), raw([UInt8])
    case list([Plain]), record([String: Plain])

    static var luaNil: Plain { .none }
    static var luaNull: Plain { .null }
    init(luaBool: Bool) { self = .flag(luaBool) }
    init(luaInteger: Int64) { self = .integer(luaInteger) }
    init(luaNumber: Double) { self = .number(luaNumber) }
    init(luaString: String) { self = .text(luaString) }
    init(luaBytes: UnsafeBufferPointer<UInt8>) { self = .raw(Array(luaBytes)) }
    init(luaArray: [Plain]) { self = .list(luaArray) }
    init(luaTable: [String: Plain]) { self = .record(luaTable) }
    static func luaFunction() throws(LuaError) -> Plain { throw .conversion("no functions here") }

    /// What the same value reads as through `LuaValue`.
    init(_ value: LuaValue) {
        switch value {
        case .nil: self = .none
        case .null: self = .null
        case .bool(let b): self = .flag(b)
        case .int(let i): self = .integer(i)
        case .double(let d): self = .number(d)
        case .string(let s): self = .text(s)
        case .bytes(let b): self = .raw(b)
        case .array(let a): self = .list(a.map(Plain.init))
        case .table(let t): self = .record(t.mapValues(Plain.init))
        case .function: self = .text("function")
        }
    }
}

@Suite struct LuaTapeDecodableTests {
    /// Arguments read as a caller's type match the `LuaValue` read, including when the same table shapes
    /// alternate between the two types (their dictionary templates share the key cache's slots).
    @Test func argumentsReadDirectlyAsTheLuaValueReadSays() throws {
        final class Seen: @unchecked Sendable { var pairs: [(Plain, Plain)] = [] }
        let seen = Seen()
        let module = NativeModule(name: "probe", functions: [
            "read": { args in
                for i in 1...args.count + 1 {
                    let direct = try args.value(i, as: Plain.self)
                    seen.pairs.append((direct, Plain(try args.value(i))))
                }
                return []
            },
        ])
        let fixture = try Fixture(modules: [module, hashModule])
        for _ in 0..<3 {
            _ = try fixture.run(#"""
                return function()
                  local shape = {name = "purchase", value = 72.39, n = 3, ok = true, none = hash.null,
                    user = {em = "a@b.c", address = {city = "Berlin"}}, items = {{id = "A"}, {id = "B"}}, empty = {}}
                  probe.read(shape, "\xff\x00", 1.5, 7, false, {[1] = "x", [3] = "y"}, {"p", "q"})
                  probe.read(shape)
                end
                """#)
        }
        #expect(seen.pairs.count == 3 * (8 + 2))
        for (direct, viaLuaValue) in seen.pairs { #expect(direct == viaLuaValue) }
        #expect(seen.pairs.first?.0 == .record([
            "name": .text("purchase"), "value": .number(72.39), "n": .integer(3), "ok": .flag(true), "none": .null,
            "user": .record(["em": .text("a@b.c"), "address": .record(["city": .text("Berlin")])]),
            "items": .list([.record(["id": .text("A")]), .record(["id": .text("B")])]), "empty": .record([:]),
        ]))
        #expect(seen.pairs[1].0 == .raw([0xFF, 0x00]))
        #expect(seen.pairs[5].0 == .record(["1": .text("x"), "3": .text("y")]))
        #expect(seen.pairs[7].0 == .none, "an absent argument")
    }

    /// A type that refuses functions makes the read fail as an argument error, and the VM stays usable.
    @Test func aRefusedFunctionIsAnArgumentError() throws {
        let module = NativeModule(name: "probe", functions: [
            "read": { args in _ = try args.value(1, as: Plain.self); return [] },
        ])
        let fixture = try Fixture(modules: [module])
        let error = luaError { try fixture.run("return function() probe.read({f = function() end}) end", chunk: "tags/f.lua") }
        #expect(error == .runtime("tags/f.lua:1: bad argument #1 to 'read' (no functions here)"))
        fixture.expectHealthy()
    }
}
