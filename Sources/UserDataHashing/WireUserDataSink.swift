/// Where `UserDataHasher` writes a wire form, field by field in its order: a `WireUserData` (`hash.user_data`,
/// written into Lua from it) or a `FlatUserDataWriter` (`pinterest.send`, straight into the event's document).
protocol WireUserDataSink {
    /// Adds a wire hash (64 lower-case hex digits) to hashed field `field` unless the field already holds it:
    /// arrays are de-duplicated after normalization, first occurrence kept. A field's hashes come together,
    /// then `closeHashedField`.
    mutating func appendHash(_ hex: UnsafeBufferPointer<UInt8>, field: UserDataField)
    /// Ends hashed field `field`; a field that got no hash is omitted.
    mutating func closeHashedField(_ field: UserDataField)
    /// Adds a plain (never hashed) field: trimmed, non-empty UTF-8.
    mutating func appendPlain(_ key: UserDataKey, _ utf8: UnsafeBufferPointer<UInt8>)
}
