import CLuaShim

/// A growable byte buffer holding values in the shim's flat "tape" format.
///
/// Values travel from Swift to Lua this way because pushing them can raise
/// (allocation under the memory cap): Swift only writes bytes, and C pushes
/// them inside a protected call (or a trampoline after Swift has returned).
/// The buffer is reused across calls to avoid per-call allocation.
final class ValueTape {
    // A tape belongs to one VM, which one thread uses at a time: dynamic exclusivity checks on these (a
    // runtime call per access, several per value written) guard against nothing here.
    @exclusivity(unchecked) private(set) var base: UnsafeMutableRawPointer
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private(set) var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        self.base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var bytes: UnsafePointer<UInt8> { UnsafePointer(base.assumingMemoryBound(to: UInt8.self)) }

    @inline(__always) func reset() { count = 0 }

    @inline(__always) private func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private func grow(_ minimum: Int) {
        let newCapacity = max(minimum, capacity * 2)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always) func appendByte(_ byte: Int32) {
        reserve(1)
        base.storeBytes(of: UInt8(truncatingIfNeeded: byte), toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always) func appendUInt32(_ value: UInt32) {
        reserve(4)
        base.storeBytes(of: value, toByteOffset: count, as: UInt32.self)
        count += 4
    }

    @inline(__always) func appendInt64(_ value: Int64) {
        reserve(8)
        base.storeBytes(of: value, toByteOffset: count, as: Int64.self)
        count += 8
    }

    @inline(__always) func appendDouble(_ value: Double) {
        reserve(8)
        base.storeBytes(of: value, toByteOffset: count, as: Double.self)
        count += 8
    }

    func appendRaw(_ buffer: UnsafeRawBufferPointer) {
        guard let source = buffer.baseAddress, buffer.count > 0 else { return }
        reserve(buffer.count)
        (base + count).copyMemory(from: source, byteCount: buffer.count)
        count += buffer.count
    }

    /// Appends a length-prefixed string (no tag).
    func appendLengthPrefixed(_ string: String) throws(LuaError) {
        var string = string
        let ok = string.withUTF8 { utf8 -> Bool in
            guard utf8.count <= Int(UInt32.max) else { return false }
            appendUInt32(UInt32(utf8.count))
            appendRaw(UnsafeRawBufferPointer(utf8))
            return true
        }
        if !ok { throw .conversion("string longer than 4 GiB") }
    }

    func appendLengthPrefixed(bytes: [UInt8]) throws(LuaError) {
        guard bytes.count <= Int(UInt32.max) else { throw .conversion("string longer than 4 GiB") }
        appendUInt32(UInt32(bytes.count))
        bytes.withUnsafeBytes { appendRaw($0) }
    }

    /// Appends raw UTF-8 text (used for error messages and module sources).
    func appendText(_ string: String) {
        var string = string
        string.withUTF8 { appendRaw(UnsafeRawBufferPointer($0)) }
    }

    /// Encodes one value; tables deeper than `maxDepth` are refused.
    ///
    /// The hot path: the buffer's pointer, length and capacity live in a
    /// local `TapeWriter` (registers, not class fields reloaded after every
    /// store) and each value reserves its worst case once.
    func encode(_ value: LuaValue, depth: Int = 0, maxDepth: Int) throws(LuaError) {
        var writer = TapeWriter(base: base, count: count, capacity: capacity)
        defer {
            base = writer.base
            count = writer.count
            capacity = writer.capacity
        }
        try writer.encode(value, depth: depth, maxDepth: maxDepth)
    }

    /// Encodes one value that writes itself (see `LuaTapeEncodable`).
    func encode(_ value: some LuaTapeEncodable, maxDepth: Int) throws(LuaError) {
        var writer = LuaTapeWriter(tape: TapeWriter(base: base, count: count, capacity: capacity), maxDepth: maxDepth)
        defer {
            base = writer.tape.base
            count = writer.tape.count
            capacity = writer.tape.capacity
        }
        try value.encode(to: &writer)
    }

    /// Encodes a registry ref (call argument tapes only).
    func encodeRef(_ id: Int32) {
        appendByte(Int32(TAGD_TAPE_REF))
        appendUInt32(UInt32(bitPattern: id))
    }

    /// Encodes a host native function reference (module tables only).
    func encodeNative(index: Int) {
        appendByte(Int32(TAGD_TAPE_NATIVE))
        appendUInt32(UInt32(truncatingIfNeeded: index))
    }
}

/// Writes values into a tape buffer it temporarily owns (see
/// `ValueTape.encode`); growing reallocates the buffer.
struct TapeWriter {
    var base: UnsafeMutableRawPointer
    var count: Int
    var capacity: Int

    @inline(__always)
    mutating func reserve(_ n: Int) {
        if capacity &- count < n { grow(n) }
    }

    @inline(never)
    mutating func grow(_ n: Int) {
        let newCapacity = max(count + n, capacity * 2)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Tag byte, then (when `withCount`) a UInt32; space must be reserved.
    @inline(__always)
    mutating func put(tag: Int32) {
        base.storeBytes(of: UInt8(truncatingIfNeeded: tag), toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    @inline(__always)
    mutating func put(_ value: UInt32) {
        base.storeBytes(of: value, toByteOffset: count, as: UInt32.self)
        count &+= 4
    }

    @inline(__always)
    mutating func put(_ value: UInt64) {
        base.storeBytes(of: value, toByteOffset: count, as: UInt64.self)
        count &+= 8
    }

    /// Optional tag, UInt32 length, bytes.
    @inline(__always)
    mutating func putString(tag: Int32?, _ bytes: UnsafeBufferPointer<UInt8>) throws(LuaError) {
        guard bytes.count <= Int(UInt32.max) else { throw .conversion("string longer than 4 GiB") }
        putStringUnchecked(tag: tag, bytes)
    }

    @inline(__always)
    mutating func putStringUnchecked(tag: Int32?, _ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        reserve(n &+ 5)
        if let tag { put(tag: tag) }
        put(UInt32(truncatingIfNeeded: n))
        if n > 0, let source = bytes.baseAddress {
            (base + count).copyMemory(from: source, byteCount: n)
            count &+= n
        }
    }

    @inline(__always)
    mutating func putString(tag: Int32?, _ string: String) throws(LuaError) {
        guard string.utf8.count <= Int(UInt32.max) else { throw .conversion("string longer than 4 GiB") }
        // Native strings (small or not) always have contiguous UTF-8.
        let done: Bool? = string.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            putStringUnchecked(tag: tag, utf8)
            return true
        }
        if done == nil {
            var copy = string
            copy.makeContiguousUTF8()
            try putString(tag: tag, copy)
        }
    }

    mutating func encode(_ value: LuaValue, depth: Int, maxDepth: Int) throws(LuaError) {
        switch value {
        case .nil:
            reserve(1)
            put(tag: Int32(TAGD_TAPE_NIL))
        case .bool(let b):
            reserve(1)
            put(tag: Int32(b ? TAGD_TAPE_TRUE : TAGD_TAPE_FALSE))
        case .int(let i):
            reserve(9)
            put(tag: Int32(TAGD_TAPE_INT))
            put(UInt64(bitPattern: i))
        case .double(let d):
            reserve(9)
            put(tag: Int32(TAGD_TAPE_DOUBLE))
            put(d.bitPattern)
        case .string(let s):
            try putString(tag: Int32(TAGD_TAPE_STRING), s)
        case .bytes(let b):
            try b.withUnsafeBufferPointer { (bytes) throws(LuaError) in
                try putString(tag: Int32(TAGD_TAPE_STRING), bytes)
            }
        case .array(let items):
            guard depth < maxDepth else { throw .conversion("table nesting deeper than \(maxDepth)") }
            guard items.count <= Int(UInt32.max) else { throw .conversion("array too large") }
            reserve(5)
            put(tag: Int32(TAGD_TAPE_ARRAY))
            put(UInt32(truncatingIfNeeded: items.count))
            for item in items { try encode(item, depth: depth &+ 1, maxDepth: maxDepth) }
        case .table(let fields):
            guard depth < maxDepth else { throw .conversion("table nesting deeper than \(maxDepth)") }
            guard fields.count <= Int(UInt32.max) else { throw .conversion("table too large") }
            reserve(5)
            put(tag: Int32(TAGD_TAPE_TABLE))
            put(UInt32(truncatingIfNeeded: fields.count))
            for (key, item) in fields {
                try putString(tag: nil, key)
                try encode(item, depth: depth &+ 1, maxDepth: maxDepth)
            }
        case .null:
            reserve(1)
            put(tag: Int32(TAGD_TAPE_NULL))
        case .function:
            throw .conversion("a function marker cannot be passed to Lua")
        }
    }
}
