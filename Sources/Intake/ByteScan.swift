/// Finding bytes in form-encoded text eight at a time: a query is a kilobyte or so, and a loop over single bytes
/// (three of them: for `&`, `=` and escapes) cost about a dozen instructions a byte.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The first index in `start..<end` holding `byte`, or `end`.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard let base = bytes.baseAddress else { return end }
        let raw = UnsafeRawPointer(base)
        let pattern = ones &* UInt64(byte)
        var i = start
        while i + 8 <= end {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ pattern
            // The lowest flagged byte is the first equal one (higher flags may be false).
            let found = (word &- ones) & ~word & highs
            if found != 0 { return i + found.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < end {
            if base[i] == byte { return i }
            i += 1
        }
        return end
    }

    /// Whether `bytes` holds a `%` or a `+`: whether form decoding changes anything.
    @inline(__always)
    static func containsPercentOrPlus(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        let percent = ones &* UInt64(UInt8(ascii: "%")), plus = ones &* UInt64(UInt8(ascii: "+"))
        var i = 0
        while i + 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let a = word ^ percent, b = word ^ plus
            if ((a &- ones) & ~a | (b &- ones) & ~b) & highs != 0 { return true }
            i += 8
        }
        while i < bytes.count {
            if base[i] == UInt8(ascii: "%") || base[i] == UInt8(ascii: "+") { return true }
            i += 1
        }
        return false
    }
}
