import Crypto

/// SHA-256 as Pinterest wants it: over the UTF-8 bytes, written as 64 lower-case hex digits.
public enum SHA256Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

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
        let digest = s.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 64))
        bytes.withUnsafeMutableBufferPointer { out in
            _ = writeHex(digest, into: UnsafeMutableBufferPointer(rebasing: out[start...]))
        }
    }

    private static func writeHex(_ digest: SHA256.Digest, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var i = 0
        digest.withUnsafeBytes { bytes in
            for byte in bytes {
                out[i] = digits[Int(byte >> 4)]
                out[i + 1] = digits[Int(byte & 0x0F)]
                i += 2
            }
        }
        return i
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
        bytes.count == 64 && bytes.allSatisfy(ASCII.isLowerHexDigit)
    }
}
