/// A key as the store keeps it: 128 bits from two differently salted hashes of its text, instead of the
/// text itself. Keys such as `account|event_name|event_id` run to 40 bytes or more and a store holds up to
/// a million of them; 16 inline bytes halve the memory and need no reference counting. Two keys share a
/// digest with a probability of about n² / 2¹²⁹ (around 10⁻²⁷ for a million keys), which would make the
/// later one look like a duplicate. The hashes are seeded per process, like Swift's own, so digests are
/// never stored or compared across processes.
package struct KeyDigest: Hashable {
    package let high: UInt64
    package let low: UInt64

    package init(_ key: String) {
        var first = Hasher()
        first.combine(0x7461_6764_6B65_7931 as UInt64)
        first.combine(key)
        var second = Hasher()
        second.combine(0x7461_6764_6B65_7932 as UInt64)
        second.combine(key)
        high = UInt64(bitPattern: Int64(first.finalize()))
        low = UInt64(bitPattern: Int64(second.finalize()))
    }

    /// The digest of `key.joined`, from the fields' bytes when they are all ASCII (`bytesDigest`).
    package init(_ key: DedupKey) {
        var first = key.first, second = key.second, third = key.third
        let digest = first.withUTF8 { a in
            second.withUTF8 { b in
                third.withUTF8 { c in Self.bytesDigest(a, b, c) }
            }
        }
        if let (high, low) = digest {
            self.init(high: high, low: low)
        } else {
            self.init(key.joined)
        }
    }

    /// The digest of the fields given as UTF-8 (`pinterest.send`'s event name and id, read in place from the event):
    /// the same as `init(DedupKey(...))` with those fields as strings (decoded with repairs, as `String(decoding:)`
    /// does), without making the strings when they are ASCII.
    package init(utf8 first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, _ third: UnsafeBufferPointer<UInt8>) {
        if let (high, low) = Self.bytesDigest(first, second, third) {
            self.init(high: high, low: low)
        } else {
            self.init(DedupKey(String(decoding: first, as: UTF8.self), String(decoding: second, as: UTF8.self), String(decoding: third, as: UTF8.self)))
        }
    }

    /// The digest of the fields joined, from their bytes when they are all ASCII: a `String` hashes as its bytes
    /// (normalized to NFC, which ASCII is) then 0xFF, so those bytes, joined on the stack and fed in one call, give
    /// the same digest (a test holds the two to it). Nil for other text, which is joined and hashed as a `String`.
    /// How a `String` feeds its hasher is the standard library's own business: if a release changes it, the check
    /// made once per process (`bytesHashAsStrings`) sends every key through the joined `String`.
    private static func bytesDigest(
        _ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, _ c: UnsafeBufferPointer<UInt8>
    ) -> (UInt64, UInt64)? {
        let count = a.count + b.count + c.count + 3
        guard count <= 512, Self.bytesHashAsStrings, Self.isASCII(a), Self.isASCII(b), Self.isASCII(c) else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { joined in
            var end = 0
            func add(_ field: UnsafeBufferPointer<UInt8>, _ separator: UInt8) {
                _ = UnsafeMutableBufferPointer(rebasing: joined[end..<end + field.count]).initialize(from: field)
                end += field.count
                joined[end] = separator
                end += 1
            }
            add(a, 0x1F)
            add(b, 0x1F)
            add(c, 0xFF)  // String's terminator
            let bytes = UnsafeRawBufferPointer(joined)
            return (Self.hash(0x7461_6764_6B65_7931, bytes), Self.hash(0x7461_6764_6B65_7932, bytes))
        }
    }

    /// Whether an ASCII key's bytes, hashed as `init(_: DedupKey)` hashes them, give its `String`'s digest.
    static let bytesHashAsStrings: Bool = {
        let bytes: [UInt8] = Array("acct\u{1F}purchase\u{1F}ev-1".utf8) + [0xFF]
        let fromBytes = bytes.withUnsafeBytes { raw in
            (hash(0x7461_6764_6B65_7931, raw), hash(0x7461_6764_6B65_7932, raw))
        }
        let fromString = KeyDigest("acct\u{1F}purchase\u{1F}ev-1")
        return fromBytes.0 == fromString.high && fromBytes.1 == fromString.low
    }()

    /// A digest given as its two halves: tests pick them to force collisions in a table.
    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    private static func hash(_ salt: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(salt)
        hasher.combine(bytes: bytes)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var high: UInt8 = 0
        for byte in bytes { high |= byte }
        return high < 0x80
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(low)  // already uniformly distributed; `high` picks the shard
    }
}
