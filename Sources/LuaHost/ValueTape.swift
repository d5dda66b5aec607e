import CLuaShim

/// A growable byte buffer holding values in the shim's flat "tape" format.
///
/// Values travel from Swift to Lua this way because pushing them can raise
/// (allocation under the memory cap): Swift only writes bytes, and C pushes
/// them inside a protected call (or a trampoline after Swift has returned).
/// The buffer is reused across calls to avoid per-call allocation.
final class ValueTape {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var count = 0
    private var capacity: Int

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
    func encode(_ value: LuaValue, depth: Int = 0, maxDepth: Int) throws(LuaError) {
        switch value {
        case .nil:
            appendByte(Int32(TAGD_TAPE_NIL))
        case .bool(let b):
            appendByte(Int32(b ? TAGD_TAPE_TRUE : TAGD_TAPE_FALSE))
        case .int(let i):
            appendByte(Int32(TAGD_TAPE_INT))
            appendInt64(i)
        case .double(let d):
            appendByte(Int32(TAGD_TAPE_DOUBLE))
            appendDouble(d)
        case .string(let s):
            appendByte(Int32(TAGD_TAPE_STRING))
            try appendLengthPrefixed(s)
        case .bytes(let b):
            appendByte(Int32(TAGD_TAPE_STRING))
            try appendLengthPrefixed(bytes: b)
        case .array(let items):
            guard depth < maxDepth else { throw .conversion("table nesting deeper than \(maxDepth)") }
            guard items.count <= Int(UInt32.max) else { throw .conversion("array too large") }
            appendByte(Int32(TAGD_TAPE_ARRAY))
            appendUInt32(UInt32(items.count))
            for item in items { try encode(item, depth: depth + 1, maxDepth: maxDepth) }
        case .table(let fields):
            guard depth < maxDepth else { throw .conversion("table nesting deeper than \(maxDepth)") }
            guard fields.count <= Int(UInt32.max) else { throw .conversion("table too large") }
            appendByte(Int32(TAGD_TAPE_TABLE))
            appendUInt32(UInt32(fields.count))
            for (key, item) in fields {
                try appendLengthPrefixed(key)
                try encode(item, depth: depth + 1, maxDepth: maxDepth)
            }
        case .null:
            appendByte(Int32(TAGD_TAPE_NULL))
        case .function:
            throw .conversion("a function marker cannot be passed to Lua")
        }
    }

    /// Encodes a host native function reference (module tables only).
    func encodeNative(index: Int) {
        appendByte(Int32(TAGD_TAPE_NATIVE))
        appendUInt32(UInt32(truncatingIfNeeded: index))
    }
}
