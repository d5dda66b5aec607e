import Crypto
import TagdJSON

/// SHA-256 as Pinterest wants it: over the UTF-8 bytes, written as 64 lower-case hex digits.
public enum SHA256Hex {
    /// Lower-case hex SHA-256 of the UTF-8 bytes of `s`. Hex is written straight into the string's storage
    /// (no per-byte `String(format:)`), since this runs once per hashed value on the delivery path.
    public static func hash(_ s: String) -> String {
        var s = s
        let digest = s.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return String(unsafeUninitializedCapacity: 64) { out in writeHex(digest, into: out) }
    }

    /// Appends the 64 hex digits of the SHA-256 of the UTF-8 bytes of `s` to `bytes`: no `String` per hash.
    static func appendHash(of s: String, to bytes: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendHash(of: $0, to: &bytes) }
    }

    /// Appends the 64 hex digits of the SHA-256 of `utf8` to `bytes`.
    static func appendHash(of utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        let digest = SHA256.hash(data: UnsafeRawBufferPointer(utf8))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { hex in
            let count = writeHex(digest, into: hex)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: hex[..<count]))
        }
    }

    private static func writeHex(_ digest: SHA256.Digest, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        hexPairs.withUnsafeBufferPointer { pairs in
            digest.withUnsafeBytes { bytes in
                guard let write = out.baseAddress, let pairs = pairs.baseAddress, bytes.count * 2 <= out.count else {
                    return 0
                }
                let target = UnsafeMutableRawPointer(write)
                for (i, byte) in bytes.enumerated() {
                    target.storeBytes(of: pairs[Int(byte)], toByteOffset: 2 * i, as: UInt16.self)
                }
                return bytes.count * 2
            }
        }
    }

    /// The two hex digits of each byte value, as they lie in memory: one load and one store per byte.
    private static let hexPairs: [UInt16] = (0..<256).map { byte in
        let digits = Array("0123456789abcdef".utf8)
        return UInt16(digits[byte >> 4]) | UInt16(digits[byte & 0x0F]) << 8  // little-endian: first digit first
    }

    /// True when `s` is exactly 64 hex digits (either case): `^[0-9A-Fa-f]{64}$`, checked without a regex.
    public static func isHashed(_ s: String) -> Bool {
        isHashed(s.utf8)
    }

    static func isHashed(_ bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count == 64 else { return false }
        return bytes.withContiguousStorageIfAvailable { $0.allSatisfy(ASCII.isHexDigit) }
            ?? bytes.allSatisfy(ASCII.isHexDigit)
    }

    /// True when `s` is already what goes on the wire: exactly 64 lower-case hex digits, so neither
    /// trimming, lower-casing nor hashing would change it.
    public static func isWireHash(_ s: String) -> Bool {
        let utf8 = s.utf8
        guard utf8.count == 64 else { return false }
        return utf8.withContiguousStorageIfAvailable { isWireHash(utf8: $0) }
            ?? utf8.allSatisfy(ASCII.isLowerHexDigit)
    }

    /// As `isWireHash(_:)`, for UTF-8 bytes.
    public static func isWireHash(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 64 && UTF8Bytes.isLowerHex(bytes)
    }
}
