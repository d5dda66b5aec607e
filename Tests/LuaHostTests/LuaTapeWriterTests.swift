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
