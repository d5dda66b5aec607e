import CLuaShim

/// The host half of the shim's result key cache (see `TAGD_KC_SLOTS` in
/// CLuaShim.h), plus dictionary templates for recurring table shapes.
///
/// - `TAGD_KEY_DEF slot id text` stores a key's `String` in `slot`;
///   `TAGD_KEY_REF slot id` reuses it (no String creation, no UTF-8 work).
/// - A table whose keys are all cached carries a nonzero shape (a hash of
///   its key ids in traversal order). The second time a shape is seen, its
///   dictionary is kept as a template with every key's `Dictionary.Index`;
///   later tables of that shape copy the template (a storage copy, no
///   rehashing) and store each value at its index, so no key is hashed.
///   Ids are never reused, so a template can only match the exact keys it
///   was built from; any mismatch falls back to plain insertion.
///
/// One per VM; used only while that VM is borrowed (not thread-safe).
final class ResultKeyCache {
    static let slotCount = Int(TAGD_KC_SLOTS)
    static let templateCount = 64

    static let valueSlotCount = Int(TAGD_VC_SLOTS)

    let ids: UnsafeMutablePointer<UInt64>
    let keys: UnsafeMutablePointer<String>
    /// The value cache (`TAGD_TAPE_STR_DEF`/`STR_REF`): string values.
    let valueIDs: UnsafeMutablePointer<UInt64>
    let values: UnsafeMutablePointer<String>
    /// `ShapeTemplate<V>` for whichever value type last read that shape. Nothing here is private, so that
    /// cross-module optimization can specialize the generic reader for a caller's own value type.
    /// Unchecked: the cache belongs to one VM, used by one thread at a time (see `ValueTape`).
    @exclusivity(unchecked) var templates: [AnyObject?]
    @exclusivity(unchecked) var seen: [UInt64]

    init() {
        ids = .allocate(capacity: Self.slotCount)
        ids.initialize(repeating: 0, count: Self.slotCount)
        keys = .allocate(capacity: Self.slotCount)
        keys.initialize(repeating: "", count: Self.slotCount)
        valueIDs = .allocate(capacity: Self.valueSlotCount)
        valueIDs.initialize(repeating: 0, count: Self.valueSlotCount)
        values = .allocate(capacity: Self.valueSlotCount)
        values.initialize(repeating: "", count: Self.valueSlotCount)
        templates = Array(repeating: nil, count: Self.templateCount)
        seen = Array(repeating: 0, count: Self.templateCount)
    }

    deinit {
        ids.deinitialize(count: Self.slotCount)
        ids.deallocate()
        keys.deinitialize(count: Self.slotCount)
        keys.deallocate()
        valueIDs.deinitialize(count: Self.valueSlotCount)
        valueIDs.deallocate()
        values.deinitialize(count: Self.valueSlotCount)
        values.deallocate()
    }

    @inline(__always)
    func template<Value>(for shape: UInt64, count: Int, as _: Value.Type) -> ShapeTemplate<Value>? {
        if let t = templates[Int(truncatingIfNeeded: shape) & (Self.templateCount - 1)] as? ShapeTemplate<Value>,
           t.shape == shape, t.ids.count == count
        {
            return t
        }
        return nil
    }

    /// True when `shape` was seen before (worth building a template for).
    @inline(__always)
    func noteShape(_ shape: UInt64) -> Bool {
        let i = Int(truncatingIfNeeded: shape) & (Self.templateCount - 1)
        if seen[i] == shape { return true }
        seen[i] = shape
        return false
    }

    func store<Value>(_ template: ShapeTemplate<Value>) {
        templates[Int(truncatingIfNeeded: template.shape) & (Self.templateCount - 1)] = template
    }
}

/// A dictionary layout for one table shape: its keys in tape order, their
/// ids and their indices in `dictionary` (whose values are placeholders).
final class ShapeTemplate<Value: LuaTapeDecodable> {
    let shape: UInt64
    let ids: [UInt64]
    let keys: [String]
    let dictionary: [String: Value]
    let indices: [Dictionary<String, Value>.Index]

    init?(shape: UInt64, ids: [UInt64], keys: [String], from fields: [String: Value]) {
        let dictionary = fields.mapValues { _ in Value.luaNil }
        var indices: [Dictionary<String, Value>.Index] = []
        indices.reserveCapacity(keys.count)
        for key in keys {
            guard let index = dictionary.index(forKey: key) else { return nil }
            indices.append(index)
        }
        self.shape = shape
        self.ids = ids
        self.keys = keys
        self.dictionary = dictionary
        self.indices = indices
    }
}

/// Decodes a result tape written by the shim (`tagd_call_tape`,
/// `tagd_read_stack`, `tagd_read_ref`) in one pass: no call into Lua per
/// key or value. C has already checked depth, cycles, key types and UTF-8
/// validity (tags `STRING` vs `BYTES`), so Swift only builds values; the one
/// check left here is a duplicate key after number-to-text conversion
/// (`{[1] = "a", ["1"] = "b"}`).
///
/// Whoever obtained the tape must call `tagd_results_done(vm, ok)` with
/// whether decoding succeeded (it keeps the key cache consistent).
struct ResultTapeReader {
    var position: UnsafeRawPointer
    let end: UnsafeRawPointer
    let cache: ResultKeyCache

    init(_ bytes: tagd_bytes, cache: ResultKeyCache) {
        // An empty tape may have no storage; point at something harmless.
        let start = bytes.data.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(bitPattern: 0x10)!
        self.position = start
        self.end = start + bytes.length
        self.cache = cache
    }

    @inline(__always)
    func need(_ n: Int) throws(LuaError) {
        guard end - position >= n else { throw .conversion("malformed result tape") }
    }

    @inline(__always)
    mutating func byte() throws(LuaError) -> UInt8 {
        try need(1)
        let value = position.load(as: UInt8.self)
        position += 1
        return value
    }

    @inline(__always)
    mutating func count() throws(LuaError) -> Int {
        try need(4)
        let value = position.loadUnaligned(as: UInt32.self)
        position += 4
        return Int(value)
    }

    @inline(__always)
    mutating func word() throws(LuaError) -> UInt64 {
        try need(8)
        let value = position.loadUnaligned(as: UInt64.self)
        position += 8
        return value
    }

    /// The next `n` bytes, as a typed buffer (for the fast String paths).
    @inline(__always)
    mutating func utf8(_ n: Int) throws(LuaError) -> UnsafeBufferPointer<UInt8> {
        try need(n)
        let buffer = UnsafeBufferPointer(start: position.assumingMemoryBound(to: UInt8.self), count: n)
        position += n
        return buffer
    }

    /// Text the writer has validated as UTF-8 (decoding never repairs).
    @inline(__always)
    mutating func text() throws(LuaError) -> String {
        let n = try count()
        return String(decoding: try utf8(n), as: UTF8.self)
    }

    /// A cache slot number, checked.
    @inline(__always)
    mutating func slot() throws(LuaError) -> Int {
        try need(2)
        let value = Int(position.loadUnaligned(as: UInt16.self))
        position += 2
        guard value < ResultKeyCache.slotCount else { throw .conversion("malformed result tape") }
        return value
    }

    /// A value cache slot number, checked.
    @inline(__always)
    mutating func valueSlot() throws(LuaError) -> Int {
        try need(2)
        let value = Int(position.loadUnaligned(as: UInt16.self))
        position += 2
        guard value < ResultKeyCache.valueSlotCount else { throw .conversion("malformed result tape") }
        return value
    }

    /// A table key: its cache id (0 when uncached) and, when `wantString`
    /// (or the key is not cached), its text.
    @inline(__always)
    mutating func key(wantString: Bool) throws(LuaError) -> (id: UInt64, slot: Int, string: String?) {
        switch Int32(try byte()) {
        case Int32(TAGD_KEY_REF):
            let slot = try slot()
            let id = try word()
            guard cache.ids[slot] == id else { throw .conversion("result key cache out of sync") }
            return (id, slot, wantString ? cache.keys[slot] : nil)
        case Int32(TAGD_KEY_DEF):
            let slot = try slot()
            let id = try word()
            let string = try text()
            cache.ids[slot] = id
            cache.keys[slot] = string
            return (id, slot, string)
        case Int32(TAGD_KEY_TEXT):
            return (0, -1, try text())
        default:
            throw .conversion("malformed result tape")
        }
    }

    mutating func value() throws(LuaError) -> LuaValue {
        try value(as: LuaValue.self)
    }

    mutating func value<Value: LuaTapeDecodable>(as _: Value.Type) throws(LuaError) -> Value {
        switch Int32(try byte()) {
        case Int32(TAGD_TAPE_NIL): return .luaNil
        case Int32(TAGD_TAPE_FALSE): return Value(luaBool: false)
        case Int32(TAGD_TAPE_TRUE): return Value(luaBool: true)
        case Int32(TAGD_TAPE_INT): return Value(luaInteger: Int64(bitPattern: try word()))
        case Int32(TAGD_TAPE_DOUBLE): return Value(luaNumber: Double(bitPattern: try word()))
        case Int32(TAGD_TAPE_STRING): return Value(luaString: try text())
        case Int32(TAGD_TAPE_STR_REF):
            let slot = try valueSlot()
            let id = try word()
            guard cache.valueIDs[slot] == id else { throw .conversion("result value cache out of sync") }
            return Value(luaString: cache.values[slot])
        case Int32(TAGD_TAPE_STR_DEF):
            let slot = try valueSlot()
            let id = try word()
            let string = try text()
            cache.valueIDs[slot] = id
            cache.values[slot] = string
            return Value(luaString: string)
        case Int32(TAGD_TAPE_BYTES):
            let n = try count()
            return try Value(luaBytes: try utf8(n))
        case Int32(TAGD_TAPE_ARRAY):
            let n = try count()
            var items: [Value] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(try value(as: Value.self)) }
            return Value(luaArray: items)
        case Int32(TAGD_TAPE_TABLE):
            return Value(luaTable: try table(as: Value.self))
        case Int32(TAGD_TAPE_NULL): return .luaNull
        case Int32(TAGD_TAPE_FUNCTION): return try Value.luaFunction()
        default: throw .conversion("malformed result tape")
        }
    }

    mutating func table<Value: LuaTapeDecodable>(as _: Value.Type) throws(LuaError) -> [String: Value] {
        let n = try count()
        let shape = try word()
        if shape != 0, let template = cache.template(for: shape, count: n, as: Value.self) {
            return try table(n, like: template)
        }
        let record = shape != 0 && cache.noteShape(shape)
        var fields = [String: Value](minimumCapacity: n)
        var ids: [UInt64] = []
        var keys: [String] = []
        if record {
            ids.reserveCapacity(n)
            keys.reserveCapacity(n)
        }
        for _ in 0..<n {
            let (id, _, string) = try key(wantString: true)
            guard let key = string else { throw .conversion("malformed result tape") }
            if record {
                ids.append(id)
                keys.append(key)
            }
            try insert(key, try value(as: Value.self), into: &fields)
        }
        if record, let template = ShapeTemplate(shape: shape, ids: ids, keys: keys, from: fields) {
            cache.store(template)
        }
        return fields
    }

    /// A table announced with a known shape: values go straight to their
    /// template indices. Falls back to insertion at the first key that does
    /// not match (possible only if the shape hash collided).
    mutating func table<Value: LuaTapeDecodable>(
        _ n: Int, like template: ShapeTemplate<Value>
    ) throws(LuaError) -> [String: Value] {
        var fields = template.dictionary
        var j = 0
        let ids = template.ids
        let indices = template.indices
        let refTag = UInt8(truncatingIfNeeded: TAGD_KEY_REF)
        while j < n {
            // Fast path: the expected key as a cache reference (11 bytes:
            // tag, slot, id), checked against both the cache and the
            // template. Anything else takes the general path below, which
            // re-reads the key and reports errors as before.
            if end - position >= 11, position.load(as: UInt8.self) == refTag {
                let slot = Int(position.loadUnaligned(fromByteOffset: 1, as: UInt16.self))
                let id = position.loadUnaligned(fromByteOffset: 3, as: UInt64.self)
                if slot < ResultKeyCache.slotCount, cache.ids[slot] == id, id == ids[j] {
                    position += 11
                    fields.values[indices[j]] = try value(as: Value.self)
                    j += 1
                    continue
                }
            }
            let (id, slot, string) = try key(wantString: false)
            guard id == template.ids[j] else {
                var fresh = [String: Value](minimumCapacity: n)
                for k in 0..<j { fresh[template.keys[k]] = fields.values[template.indices[k]] }
                guard let key = string ?? (slot >= 0 ? cache.keys[slot] : nil) else {
                    throw .conversion("malformed result tape")
                }
                try insert(key, try value(as: Value.self), into: &fresh)
                j += 1
                while j < n {
                    guard let key = try self.key(wantString: true).string else {
                        throw .conversion("malformed result tape")
                    }
                    try insert(key, try value(as: Value.self), into: &fresh)
                    j += 1
                }
                return fresh
            }
            fields.values[indices[j]] = try value(as: Value.self)
            j += 1
        }
        return fields
    }

    @inline(__always)
    func insert<Value>(_ key: String, _ item: Value, into fields: inout [String: Value]) throws(LuaError) {
        if fields.updateValue(item, forKey: key) != nil {
            throw .conversion("duplicate key '\(key)' after conversion to string")
        }
    }
}

// MARK: - Visiting

extension ResultTapeReader {
    /// Hands the next value to `visitor` (see `LuaTapeVisitor`), keeping the key and value caches in step
    /// exactly as `value(as:)` does; shape templates are not used.
    mutating func visit<Visitor: LuaTapeVisitor>(into visitor: inout Visitor) throws(LuaError) {
        switch Int32(try byte()) {
        case Int32(TAGD_TAPE_NIL): try visitor.visitNil()
        case Int32(TAGD_TAPE_FALSE): try visitor.visit(false)
        case Int32(TAGD_TAPE_TRUE): try visitor.visit(true)
        case Int32(TAGD_TAPE_INT): try visitor.visit(Int64(bitPattern: try word()))
        case Int32(TAGD_TAPE_DOUBLE): try visitor.visit(Double(bitPattern: try word()))
        case Int32(TAGD_TAPE_STRING): try visitor.visitString(try utf8(try count()))
        case Int32(TAGD_TAPE_STR_REF):
            let slot = try valueSlot()
            let id = try word()
            guard cache.valueIDs[slot] == id else { throw .conversion("result value cache out of sync") }
            try Self.withUTF8(cache.values + slot) { (bytes) throws(LuaError) in try visitor.visitString(bytes) }
        case Int32(TAGD_TAPE_STR_DEF):
            let slot = try valueSlot()
            let id = try word()
            let bytes = try utf8(try count())
            cache.valueIDs[slot] = id
            cache.values[slot] = String(decoding: bytes, as: UTF8.self)
            try visitor.visitString(bytes)
        case Int32(TAGD_TAPE_BYTES): try visitor.visitBytes(try utf8(try count()))
        case Int32(TAGD_TAPE_ARRAY):
            let n = try count()
            let mark = try visitor.beginArray(count: n)
            for _ in 0..<n { try visit(into: &visitor) }
            try visitor.endArray(mark)
        case Int32(TAGD_TAPE_TABLE):
            let n = try count()
            // A nonzero shape means every key came from the key cache: all strings (see `write_key`).
            let shape = try word()
            let table = try visitor.beginTable(count: n, keysAreDistinct: shape != 0)
            for _ in 0..<n {
                let key = try visitKey(into: &visitor)
                try visit(into: &visitor)
                try visitor.endEntry(key: key, table: table)
            }
            try visitor.endTable(table)
        case Int32(TAGD_TAPE_NULL): try visitor.visitNull()
        case Int32(TAGD_TAPE_FUNCTION): try visitor.visitFunction()
        default: throw .conversion("malformed result tape")
        }
    }

    /// A table key, as `key(wantString:)` reads it, handed to `visitor` as bytes.
    private mutating func visitKey<Visitor: LuaTapeVisitor>(into visitor: inout Visitor) throws(LuaError) -> Int {
        switch Int32(try byte()) {
        case Int32(TAGD_KEY_REF):
            let slot = try slot()
            let id = try word()
            guard cache.ids[slot] == id else { throw .conversion("result key cache out of sync") }
            var mark = 0
            try Self.withUTF8(cache.keys + slot) { (bytes) throws(LuaError) in mark = try visitor.visitKey(bytes) }
            return mark
        case Int32(TAGD_KEY_DEF):
            let slot = try slot()
            let id = try word()
            let bytes = try utf8(try count())
            cache.ids[slot] = id
            cache.keys[slot] = String(decoding: bytes, as: UTF8.self)
            return try visitor.visitKey(bytes)
        case Int32(TAGD_KEY_TEXT):
            return try visitor.visitKey(try utf8(try count()))
        default:
            throw .conversion("malformed result tape")
        }
    }

    /// `String.withUTF8` on a cached string in place (no copy, so no retain and release), for a body that
    /// throws `LuaError`. A cached string is native, so `withUTF8` does not change it.
    @inline(__always)
    static func withUTF8(
        _ string: UnsafeMutablePointer<String>, _ body: (UnsafeBufferPointer<UInt8>) throws(LuaError) -> Void
    ) throws(LuaError) {
        var failure: LuaError?
        string.pointee.withUTF8 { bytes in
            do throws(LuaError) { try body(bytes) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
