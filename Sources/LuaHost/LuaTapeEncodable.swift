import CLuaShim

/// A value that writes itself into a VM's value tape, so a caller's own tree (JSON, say) crosses into
/// Lua without first being copied into a `LuaValue` tree. It reads in Lua exactly as the `LuaValue`
/// written with the same calls would.
public protocol LuaTapeEncodable {
    func encode(to writer: inout LuaTapeWriter) throws(LuaError)
}

/// Writes values into a VM's tape (see `LuaTapeEncodable`). Valid only inside the `encode` it is
/// given to; tables and arrays announce their count first, then write exactly that many entries.
public struct LuaTapeWriter: ~Copyable {
    var tape: TapeWriter
    let maxDepth: Int
    var depth = 0

    /// JSON null: the VM's null sentinel (`LuaValue.null`).
    public mutating func writeNull() {
        tape.reserve(1)
        tape.put(tag: Int32(TAGD_TAPE_NULL))
    }

    public mutating func write(_ value: Bool) {
        tape.reserve(1)
        tape.put(tag: Int32(value ? TAGD_TAPE_TRUE : TAGD_TAPE_FALSE))
    }

    public mutating func write(_ value: Int64) {
        tape.reserve(9)
        tape.put(tag: Int32(TAGD_TAPE_INT))
        tape.put(UInt64(bitPattern: value))
    }

    public mutating func write(_ value: Double) {
        tape.reserve(9)
        tape.put(tag: Int32(TAGD_TAPE_DOUBLE))
        tape.put(value.bitPattern)
    }

    public mutating func write(_ value: String) throws(LuaError) {
        try tape.putString(tag: Int32(TAGD_TAPE_STRING), value)
    }

    /// An array of `count` values, which `elements` writes in order.
    public mutating func writeArray(
        count: Int, _ elements: (inout LuaTapeWriter) throws(LuaError) -> Void
    ) throws(LuaError) {
        guard count <= Int(UInt32.max) else { throw .conversion("array too large") }
        try nested(tag: Int32(TAGD_TAPE_ARRAY), count: count, elements)
    }

    /// A table of `count` entries, each written by `entries` as `writeKey` followed by one value.
    public mutating func writeTable(
        count: Int, _ entries: (inout LuaTapeWriter) throws(LuaError) -> Void
    ) throws(LuaError) {
        guard count <= Int(UInt32.max) else { throw .conversion("table too large") }
        try nested(tag: Int32(TAGD_TAPE_TABLE), count: count, entries)
    }

    /// A table key; the value follows.
    public mutating func writeKey(_ key: String) throws(LuaError) {
        try tape.putString(tag: nil, key)
    }

    /// A string as its UTF-8 bytes, for a caller that keeps text as bytes (valid UTF-8, as a `String`'s are).
    public mutating func write(utf8 value: UnsafeBufferPointer<UInt8>) throws(LuaError) {
        try tape.putString(tag: Int32(TAGD_TAPE_STRING), value)
    }

    /// A table key as its UTF-8 bytes; the value follows.
    public mutating func writeKey(utf8 key: UnsafeBufferPointer<UInt8>) throws(LuaError) {
        try tape.putString(tag: nil, key)
    }

    private mutating func nested(
        tag: Int32, count: Int, _ body: (inout LuaTapeWriter) throws(LuaError) -> Void
    ) throws(LuaError) {
        guard depth < maxDepth else { throw .conversion("table nesting deeper than \(maxDepth)") }
        tape.reserve(5)
        tape.put(tag: tag)
        tape.put(UInt32(truncatingIfNeeded: count))
        depth += 1
        defer { depth -= 1 }
        try body(&self)
    }
}

extension LuaValue: LuaTapeEncodable {
    public func encode(to writer: inout LuaTapeWriter) throws(LuaError) {
        try writer.tape.encode(self, depth: writer.depth, maxDepth: writer.maxDepth)
    }
}
