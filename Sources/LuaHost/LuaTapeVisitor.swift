/// Receives the values read out of Lua one by one, in tape order, so a caller can fill its own flat
/// representation without any tree (not even its own) being built: no dictionary, array or `String` per
/// value. Strings and keys arrive as UTF-8 bytes valid only during the call (straight from the tape, or
/// from the VM's key and value caches).
///
/// Containers announce their count; `begin...` returns a mark of the visitor's choosing, handed back to
/// `endEntry` and `end...`. Unlike `LuaTapeDecodable`, nothing here catches a duplicate key after number
/// to text conversion (`{[1] = "a", ["1"] = "b"}`): a visitor that keeps keys checks in `endEntry`, and
/// `beginTable` says when no check is needed.
public protocol LuaTapeVisitor {
    /// Lua nil: only an absent argument or result reads as nil (tables never hold it).
    mutating func visitNil() throws(LuaError)
    /// The null sentinel (`LuaValue.null`).
    mutating func visitNull() throws(LuaError)
    mutating func visit(_ value: Bool) throws(LuaError)
    mutating func visit(_ value: Int64) throws(LuaError)
    mutating func visit(_ value: Double) throws(LuaError)
    /// A string, valid UTF-8.
    mutating func visitString(_ utf8: UnsafeBufferPointer<UInt8>) throws(LuaError)
    /// A string that is not valid UTF-8.
    mutating func visitBytes(_ bytes: UnsafeBufferPointer<UInt8>) throws(LuaError)
    /// A function met while reading; throw if the visitor cannot hold one.
    mutating func visitFunction() throws(LuaError)
    /// A non-empty sequence `1...n` with no other keys: `count` values follow, then `endArray`.
    mutating func beginArray(count: Int) throws(LuaError) -> Int
    mutating func endArray(_ mark: Int) throws(LuaError)
    /// Any other table: `count` times `visitKey`, one value, `endEntry`; then `endTable`. `keysAreDistinct`
    /// when every key was a string (short enough for the key cache), so no two keys have the same bytes;
    /// false when some key was converted from a number (or was long), and keys may repeat.
    mutating func beginTable(count: Int, keysAreDistinct: Bool) throws(LuaError) -> Int
    /// A key as text (numbers converted), valid UTF-8.
    mutating func visitKey(_ utf8: UnsafeBufferPointer<UInt8>) throws(LuaError) -> Int
    /// After the value of the key `visitKey` returned `key` for, in the table `beginTable` returned `table` for.
    mutating func endEntry(key: Int, table: Int) throws(LuaError)
    mutating func endTable(_ mark: Int) throws(LuaError)
}
