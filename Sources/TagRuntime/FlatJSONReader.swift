import LuaHost
import TagdJSON

/// Reads a script's argument straight into a `FlatJSON` document, with the same result and the same errors as
/// reading it into a `JSONValue` (`LuaArguments.value(_:as: JSONValue.self)`): nil reads as null, invalid
/// UTF-8 is repaired, a function is an error, and so is a key that repeats after number-to-text conversion.
struct FlatJSONReader: LuaTapeVisitor {
    var json: FlatJSON

    init(nodeCapacity: Int = 64, byteCapacity: Int = 1_024) {
        json = FlatJSON(nodeCapacity: nodeCapacity, byteCapacity: byteCapacity)
    }

    /// Argument `i` of a native call, read as JSON into a new document of about the given size.
    static func read(
        _ args: LuaArguments, _ i: Int, nodeCapacity: Int = 64, byteCapacity: Int = 1_024
    ) throws(LuaArgumentError) -> FlatJSON {
        var json = FlatJSON(nodeCapacity: nodeCapacity, byteCapacity: byteCapacity)
        if args.withFlat(i, nullAsNil: true, { json.append($0) }) != nil { return json }
        var reader = FlatJSONReader(json: json)
        json = FlatJSON()  // the reader holds the only reference: appending copies nothing
        try args.visit(i, into: &reader)
        return reader.json
    }

    /// Argument `i` read into `json` (emptied first), whose buffers are reused.
    static func read(_ args: LuaArguments, _ i: Int, into json: inout FlatJSON) throws(LuaArgumentError) {
        json.removeAll()
        if args.withFlat(i, nullAsNil: true, { json.append($0) }) != nil { return }
        var reader = FlatJSONReader(json: json)
        json = FlatJSON()  // the reader holds the only reference: appending copies nothing
        defer { json = reader.json }
        try args.visit(i, into: &reader)
    }

    private init(json: FlatJSON) {
        self.json = json
    }

    // The value by value route, for what `LuaArguments.withFlat` declines.
    mutating func visitNil() { json.appendNull() }
    mutating func visitNull() { json.appendNull() }
    mutating func visit(_ value: Bool) { json.append(value) }
    mutating func visit(_ value: Int64) { json.append(value) }
    mutating func visit(_ value: Double) { json.append(value) }
    mutating func visitString(_ utf8: UnsafeBufferPointer<UInt8>) { json.appendString(utf8) }
    mutating func visitBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        json.appendString(String(decoding: bytes, as: UTF8.self))
    }

    mutating func visitFunction() throws(LuaError) {
        throw .conversion("a function cannot be converted to JSON")
    }

    mutating func beginArray(count: Int) -> Int { json.beginContainer(.array, count: count) }
    mutating func endArray(_ mark: Int) { json.endContainer(mark) }
    mutating func beginTable(count: Int, keysAreDistinct: Bool) -> Int {
        let mark = json.beginContainer(.object, count: count)
        if !keysAreDistinct { json.keysMayRepeat(inObject: mark) }
        return mark
    }

    mutating func visitKey(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        json.appendString(utf8)
        return json.nodes.count - 1
    }

    /// Checked after the value, as a dictionary insert would be: an error inside the value comes first.
    mutating func endEntry(key: Int, table: Int) throws(LuaError) {
        guard json.keyMayRepeat(key, inObject: table) else { return }
        let name = json.withNode(key) { $0.stringText ?? "" } ?? ""
        let repeats: Bool
        if json.memberCount(ofObject: table) <= Self.pairwiseLimit {
            repeats = json.keyRepeats(key, inObject: table)
        } else {
            // Pairwise would be quadratic: a set of the keys so far, made at the first key that needs it (the
            // flags that call for checks stay set, so every later key of the table is inserted).
            var seen = largeTableKeys.removeValue(forKey: table) ?? json.keys(ofObject: table, before: key)
            repeats = !seen.insert(name).inserted
            largeTableKeys[table] = seen
        }
        if repeats { throw .conversion("duplicate key '\(name)' after conversion to string") }
    }

    mutating func endTable(_ mark: Int) {
        json.endContainer(mark)
        if !largeTableKeys.isEmpty { largeTableKeys[mark] = nil }
    }

    /// The keys of open tables too large to compare pairwise, by mark (empty, so free, for usual tables).
    private var largeTableKeys: [Int: Set<String>] = [:]
    private static let pairwiseLimit = 32
}

extension FlatJSON {
    /// Appends a flat Lua value as the same nodes: its bytes in one copy, strings pointing into them, its nodes
    /// written in place in one pass (a Lua nil reads as null). The same document the value by value route
    /// builds (Lua's string keys are distinct, and a flat value has no others).
    mutating func append(_ value: LuaFlatValue) {
        let base = UInt32(truncatingIfNeeded: nodes.count)
        let source = UInt64(appendSource(value.bytes))
        // Into an empty document, nodes read with `nullAsNil` (kinds in `JSONKind`'s order) are the same bytes.
        if base == 0, source == 0, Self.nodeLayoutMatchesLua,
           value.withNodeMemory({ appendNodes(copying: $0) }) {
            return
        }
        appendNodes(count: value.count) { out in
            for index in out.indices {
                let node = value[index]
                let kind: JSONKind
                var payload = node.payload
                switch node.kind {
                case .nil, .null: kind = .null; payload = 0
                case .bool: kind = .bool
                case .int: kind = .int
                case .double: kind = .double
                case .string: kind = .string; payload &+= source
                case .array: kind = .array
                case .table: kind = .object
                }
                out[index] = Node(kind: kind, payload: payload, count: UInt32(truncatingIfNeeded: node.count),
                                  end: base &+ UInt32(truncatingIfNeeded: node.end), isASCII: node.isASCII)
            }
        }
    }

    /// Whether `FlatJSON.Node` and `LuaFlatValue.Node` lay out their fields alike (they are declared alike).
    static let nodeLayoutMatchesLua = FlatJSON.nodeLayout == LuaFlatValue.nodeLayout
}
