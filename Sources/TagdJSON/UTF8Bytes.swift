/// Comparisons of UTF-8 text as bytes, for the flat paths (`FlatJSON`, the validator's property table): eight
/// bytes at a time where a `Sequence` algorithm would go byte by byte through an iterator.
public enum UTF8Bytes {
    /// Whether two byte strings are identical.
    @inline(__always)
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return firstDifference(a, b) == nil
    }

    /// Whether every byte is a lower-case hex digit (`0-9a-f`), as SHA-256 hashes travel: eight bytes at a time,
    /// then the tail byte by byte, with no branch per byte. Inlinable: the validator checks every hash with it.
    @inlinable
    public static func isLowerHex(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var invalid: UInt64 = 0
        var offset = 0
        while offset + 8 <= bytes.count {
            invalid |= notLowerHexBits(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        while offset < bytes.count {
            let byte = base[offset]
            let notDigit: UInt64 = byte &- 0x30 < 10 ? 0 : 1
            let notLowerHex: UInt64 = byte &- 0x61 < 6 ? 0 : 1
            invalid |= notDigit & notLowerHex
            offset += 1
        }
        return invalid == 0
    }

    /// The high bit of each byte of `word` that is not `0-9a-f`. Each range test adds to the byte's low seven
    /// bits, which cannot carry into the next byte; a byte with its high bit set (not ASCII) is invalid as it is.
    @inlinable @inline(__always)
    static func notLowerHexBits(_ word: UInt64) -> UInt64 {
        let highs: UInt64 = 0x8080_8080_8080_8080, low = word & 0x7F7F_7F7F_7F7F_7F7F
        let digit = (low &+ 0x5050_5050_5050_5050) & ~(low &+ 0x4646_4646_4646_4646)  // 0x30...0x39
        let letter = (low &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(low &+ 0x1919_1919_1919_1919)  // 0x61...0x66
        return (~(digit | letter) | word) & highs
    }

    /// Whether every byte is ASCII.
    public static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var offset = 0, high: UInt64 = 0
        while offset + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            high |= UInt64(base[offset])
            offset += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Whether `a` sorts before `b` byte by byte (for ASCII, and any NFC text, String's `<`).
    @inline(__always)
    public static func precedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let index = firstDifference(a, b) else { return a.count < b.count }
        return a[index] < b[index]
    }

    /// The first index below both counts where the bytes differ; nil when one is a prefix of the other.
    @inline(__always)
    static func firstDifference(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = min(a.count, b.count)
        guard count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return nil }
        var offset = 0
        while offset + 8 <= count {
            let x = UnsafeRawPointer(pa).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let y = UnsafeRawPointer(pb).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if x != y { break }
            offset += 8
        }
        while offset < count {
            if pa[offset] != pb[offset] { return offset }
            offset += 1
        }
        return nil
    }
}
