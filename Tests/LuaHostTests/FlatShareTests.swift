import LuaHost
import Testing

/// `share(flatNodeCount:bytes:writingNodes:)`: a value handed over as flat nodes makes the same read-only view
/// as the tape route, and nodes that do not describe a value are an error, never a read out of bounds.
@Suite struct FlatShareTests {
    let fixture: Fixture
    var vm: LuaVM { fixture.vm }

    init() throws { fixture = try Fixture(modules: [hashModule]) }

    /// `value` as flat nodes (document order, a table's entries as key, value) over one buffer of bytes.
    static func flatten(_ value: LuaValue) -> (nodes: [LuaFlatValue.Node], bytes: [UInt8]) {
        var nodes: [LuaFlatValue.Node] = []
        var bytes: [UInt8] = []
        func string(_ utf8: [UInt8]) {
            nodes.append(.init(kind: .string, payload: UInt64(bytes.count), count: utf8.count, end: nodes.count + 1,
                               isASCII: utf8.allSatisfy { $0 < 0x80 }))
            bytes += utf8
        }
        func walk(_ value: LuaValue) {
            switch value {
            case .nil, .function: nodes.append(.init(kind: .nil, end: nodes.count + 1))
            case .null: nodes.append(.init(kind: .null, end: nodes.count + 1))
            case .bool(let b): nodes.append(.init(kind: .bool, payload: b ? 1 : 0, end: nodes.count + 1))
            case .int(let i): nodes.append(.init(kind: .int, payload: UInt64(bitPattern: i), end: nodes.count + 1))
            case .double(let d): nodes.append(.init(kind: .double, payload: d.bitPattern, end: nodes.count + 1))
            case .string(let s): string(Array(s.utf8))
            case .bytes(let b): string(b)
            case .array(let items):
                let mark = nodes.count
                nodes.append(.init(kind: .array, count: items.count, end: 0))
                items.forEach(walk)
                nodes[mark] = .init(kind: .array, count: items.count, end: nodes.count)
            case .table(let fields):
                let mark = nodes.count
                nodes.append(.init(kind: .table, count: fields.count, end: 0))
                for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
                    string(Array(key.utf8))
                    walk(field)
                }
                nodes[mark] = .init(kind: .table, count: fields.count, end: nodes.count)
            }
        }
        walk(value)
        return (nodes, bytes)
    }

    func shareFlat(_ nodes: [LuaFlatValue.Node], _ bytes: [UInt8]) throws(LuaError) -> LuaRef {
        try bytes.withUnsafeBufferPointer { (buffer) throws(LuaError) in
            try vm.share(flatNodeCount: nodes.count, bytes: buffer) { out in
                for index in out.indices { out[index] = nodes[index] }
            }
        }
    }

    func shareMemory(_ nodes: [LuaFlatValue.Node], _ bytes: [UInt8], nilIsNull: Bool = false, readOnly: Bool = true)
        throws(LuaError) -> LuaRef
    {
        try bytes.withUnsafeBufferPointer { (buffer) throws(LuaError) in
            let result = nodes.withUnsafeBytes { memory in
                Result { () throws(LuaError) in
                    try vm.share(flatNodeMemory: memory, bytes: buffer, nilIsNull: nilIsNull, readOnly: readOnly)
                }
            }
            return try result.get()
        }
    }

    /// Nodes handed over in place (`share(flatNodeMemory:...)`) share as the nodes written one by one do, views
    /// or plain tables; with `nilIsNull` a nil node is `json.null`.
    @Test func nodesInPlaceShareAsNodesWritten() throws {
        let (nodes, bytes) = Self.flatten(sharedEvent)
        for readOnly in [true, false] {
            let inPlace = try shareMemory(nodes, bytes, readOnly: readOnly)
            let written = try shareFlat(nodes, bytes)
            #expect(try vm.value(inPlace) == vm.value(written))
            vm.release(inPlace)
            vm.release(written)
        }
        let (withNil, nilBytes) = Self.flatten(.array([1, .nil, .null, ["k": .nil]]))
        let asNull = try shareMemory(withNil, nilBytes, nilIsNull: true)
        let asNil = try shareMemory(withNil, nilBytes, nilIsNull: false)
        #expect(try vm.value(asNull) == .array([1, .null, .null, ["k": .null]]))
        #expect(try vm.value(asNil) == (try vm.value(try shareFlat(withNil, nilBytes))))
        let writer = try vm.load(source: "return function(e) e.user_data.city = 'x'; return e.user_data.city end",
                                 chunkName: "tags/w.lua")
        let plain = try shareMemory(nodes, bytes, readOnly: false)
        #expect(try vm.call(writer, arguments: [.ref(plain)], owner: "tags/w.lua") == ["x"])
        let view = try shareMemory(nodes, bytes, readOnly: true)
        #expect(throws: LuaError.self) { try vm.call(writer, arguments: [.ref(view)], owner: "tags/w.lua") }
        fixture.expectHealthy()
    }

    /// Memory that is not whole, aligned nodes is refused before C reads it; malformed nodes are the same error
    /// as when written one by one.
    @Test func nodeMemoryThatIsNotNodesIsRefused() throws {
        let (good, bytes) = Self.flatten(["a": ["x", "y"], "b": 1])
        let stride = MemoryLayout<LuaFlatValue.Node>.stride
        #expect(LuaFlatValue.nodeLayout.first == stride)
        let raw = good.withUnsafeBytes { Array($0) }
        // Cut short, one byte too many, and whole nodes one byte off their alignment.
        for (cut, offset) in [(raw.dropLast(), 0), (raw.dropFirst(), 0), (raw[...], 1)] {
            let padded = [UInt64](repeating: 0, count: cut.count / 8 + 2)
            let error = luaError {
                try bytes.withUnsafeBufferPointer { (buffer) throws(LuaError) in
                    var storage = padded
                    let result = storage.withUnsafeMutableBytes { memory in
                        let region = UnsafeMutableRawBufferPointer(rebasing: memory[offset..<offset + cut.count])
                        region.copyBytes(from: cut)
                        return Result { () throws(LuaError) in
                            try vm.share(flatNodeMemory: UnsafeRawBufferPointer(region), bytes: buffer, nilIsNull: true)
                        }
                    }
                    return try result.get()
                }
            }
            guard case .conversion(let message)? = error else {
                Issue.record("\(String(describing: error))")
                continue
            }
            #expect(message.contains("not in LuaFlatValue.nodeLayout"))
        }
        var keyNotString = good
        keyNotString[1] = .init(kind: .int, payload: 7, end: 2)
        guard case .runtime(let message)? = luaError({ try shareMemory(keyNotString, bytes) }) else {
            Issue.record("a malformed node shared")
            return
        }
        #expect(message.contains("malformed flat value"))
        fixture.expectHealthy()
    }

    @Test func aFlatShareReadsAsTheTapeShare() throws {
        let (nodes, bytes) = Self.flatten(sharedEvent)
        let flat = try shareFlat(nodes, bytes)
        let tape = try vm.share(sharedEvent)
        defer {
            vm.release(flat)
            vm.release(tape)
        }
        #expect(try vm.value(flat) == sharedEvent)
        #expect(try vm.value(flat) == vm.value(tape))
        let reader = try vm.load(source: """
            return function(e)
              local keys = {}
              for k, v in pairs(e) do keys[#keys + 1] = k .. ":" .. type(v) end
              table.sort(keys)
              return table.concat(keys, ","), e.user_data.address.city, e.items[2].sku, #e.tags, e.nothing == hash.null,
                getmetatable(e.items[1]), select(2, pcall(function() e.items[1].price = 0 end))
            end
            """, chunkName: "tags/flat.lua")
        let viaFlat = try vm.call(reader, arguments: [.ref(flat)], owner: "tags/flat.lua")
        #expect(viaFlat == (try vm.call(reader, arguments: [.ref(tape)], owner: "tags/flat.lua")))
        #expect(viaFlat.count == 7 && viaFlat[1] == "Berlin" && viaFlat[2] == "B" && viaFlat[3] == 3)
        #expect(viaFlat.last?.stringValue?.contains("attempt to modify a read-only table") == true)
        fixture.expectHealthy()
    }

    /// Generated values share flat as by the tape, views and plain tables, on one VM: their keys come from a pool
    /// larger than the push key cache (lengths 0 to past its limit, some alike but for one byte, some not ASCII),
    /// so cached keys are replaced and found again all along.
    static func emptyArraysAsTables(_ value: LuaValue) -> LuaValue {
        switch value {
        case .array(let items): items.isEmpty ? .table([:]) : .array(items.map(emptyArraysAsTables))
        case .table(let fields): .table(fields.mapValues(emptyArraysAsTables))
        default: value
        }
    }

    @Test func generatedValuesShareFlatAsByTheTape() throws {
        // A seeded SplitMix64 (this target has no TestRandom): the values replay.
        struct Generator {
            var state: UInt64 = 1717
            mutating func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
            mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
        }
        var g = Generator()
        let stems = ["", "a", "id", "sku", "user_data", "event_name", "client_user_agent", "é", "k\u{301}"]
        var pool: [String] = []
        for i in 0..<700 {
            let stem = g.pick(stems)
            pool.append(i % 3 == 0 ? stem : stem + String(repeating: "x", count: g.below(44)) + "\(i % 97)")
        }
        func value(_ depth: Int) -> LuaValue {
            switch g.below(depth > 3 ? 6 : 9) {
            case 0: return .bool(g.below(2) == 0)
            case 1: return .int(Int64(bitPattern: g.next()))
            case 2: return .double(Double(g.below(100_000)) / 7)
            case 3: return .string(g.pick(pool))
            case 4: return .null
            case 5: return .bytes([0xFF, UInt8(g.below(256))])
            case 6: return .array((0..<g.below(4)).map { _ in value(depth + 1) })
            default:
                var fields: [String: LuaValue] = [:]
                for _ in 0..<g.below(8) { fields[g.pick(pool)] = value(depth + 1) }
                return .table(fields)
            }
        }
        for round in 0..<300 {
            let generated = value(0)
            let (nodes, bytes) = Self.flatten(generated)
            let readOnly = round % 2 == 0
            let flat = try shareMemory(nodes, bytes, readOnly: readOnly)
            let tape = try vm.share(generated, readOnly: readOnly)
            #expect(try vm.value(flat) == vm.value(tape), "round \(round)")
            // Both shares go through the same key cache: hold one to the value itself too (an empty array reads
            // back as an empty table), so a wrong cached key cannot pass by being wrong on both sides.
            #expect(try Self.emptyArraysAsTables(vm.value(flat)) == Self.emptyArraysAsTables(generated), "round \(round)")
            vm.release(flat)
            vm.release(tape)
        }
        fixture.expectHealthy()
    }

    @Test func scalarsAndEmptyContainersShareAsTheTapeDoes() throws {
        let values: [LuaValue] = [
            .null, true, 0, .int(Int64.min), -0.0, .double(.infinity), "", "é", .bytes([0xFF, 0x00]),
            .table([:]), ["": ""], [[[]]], ["k\u{301}": ["x": .null]],
        ]
        for value in values {
            let (nodes, bytes) = Self.flatten(value)
            let flat = try shareFlat(nodes, bytes)
            let tape = try vm.share(value)
            #expect(try vm.value(flat) == vm.value(tape), "\(value)")
            vm.release(flat)
            vm.release(tape)
        }
    }

    @Test func nestingPastTheLimitIsTheTapesConversionError() throws {
        var deep: LuaValue = "leaf"
        for _ in 0..<40 { deep = ["x": deep] }
        let (nodes, bytes) = Self.flatten(deep)
        let flatError = luaError { try shareFlat(nodes, bytes) }
        let tapeError = luaError { try vm.share(deep) }
        #expect(flatError == tapeError)
        #expect(flatError == .conversion("table nesting deeper than \(quickLimits.maxResultDepth)"))
        fixture.expectHealthy()
    }

    @Test func nodesThatDescribeNoValueAreAnErrorAndTheVMStaysUsable() throws {
        let (good, bytes) = Self.flatten(["a": ["x", "y"], "b": 1])
        // good: table{2} "a" array{2} "x" "y" "b" 1
        var cases: [(String, [LuaFlatValue.Node], [UInt8])] = [
            ("no nodes", [], bytes),
            ("a trailing node", good + [.init(kind: .int, end: good.count + 1)], bytes),
            ("one node short", Array(good.dropLast()), bytes),
            ("bytes cut short", good, Array(bytes.dropLast())),
        ]
        var offsetPast = good
        offsetPast[1] = .init(kind: .string, payload: UInt64(bytes.count), count: 1, end: 2)
        cases.append(("a string past the bytes", offsetPast, bytes))
        var hugeOffset = good
        hugeOffset[1] = .init(kind: .string, payload: UInt64.max, count: 2, end: 2)
        cases.append(("an offset that wraps", hugeOffset, bytes))
        var keyNotString = good
        keyNotString[1] = .init(kind: .int, payload: 7, end: 2)
        cases.append(("a key that is not a string", keyNotString, bytes))
        var hugeCount = good
        hugeCount[0] = .init(kind: .table, count: Int(Int32.max), end: good.count)
        cases.append(("a count past the nodes", hugeCount, bytes))
        var arrayCount = good
        arrayCount[2] = .init(kind: .array, count: 9, end: 5)
        cases.append(("an array longer than its nodes", arrayCount, bytes))
        for (name, nodes, bytes) in cases {
            let error = luaError { try shareFlat(nodes, bytes) }
            guard case .runtime(let message)? = error else {
                Issue.record("\(name): \(String(describing: error))")
                continue
            }
            #expect(message.contains("malformed flat value"), "\(name): \(message)")
            fixture.expectHealthy()
        }
        // The same nodes, whole, still share.
        let ref = try shareFlat(good, bytes)
        #expect(try vm.value(ref) == ["a": ["x", "y"], "b": 1])
        vm.release(ref)
    }

    @Test func sharingTooMuchFlatIsAMemoryError() throws {
        let fixture = try Fixture(limits: LuaLimits(memoryPerVM: 8 << 20), modules: [hashModule])
        let filler = String(repeating: "x", count: 200)
        let (nodes, bytes) = Self.flatten(.array((0..<60_000).map { .string("\($0)" + filler) }))
        let error = luaError {
            try bytes.withUnsafeBufferPointer { (buffer) throws(LuaError) in
                try fixture.vm.share(flatNodeCount: nodes.count, bytes: buffer) { out in
                    for index in out.indices { out[index] = nodes[index] }
                }
            }
        }
        #expect(error == .memory, "got \(String(describing: error))")
        fixture.expectHealthy()
    }
}
