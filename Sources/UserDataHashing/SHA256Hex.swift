import CSHA256
import TagdJSON

/// SHA-256 as Pinterest wants it: over the UTF-8 bytes, written as 64 lower-case hex digits.
///
/// The digest is OpenSSL's, on a context on the stack (`tagd_sha256`): no allocation per hash. swift-crypto
/// allocated, used and freed a context object per hash (about 250 ns a value, digest and hex, in
/// `HashingBenchmark`); OpenSSL's one-shot `SHA256()` is slower still: it fetches the algorithm by name on
/// every call.
public enum SHA256Hex {
    /// Lower-case hex SHA-256 of the UTF-8 bytes of `s`. Hex is written straight into the string's storage
    /// (no per-byte `String(format:)`), since this runs once per hashed value on the delivery path.
    public static func hash(_ s: String) -> String {
        var s = s
        return s.withUTF8 { utf8 in
            String(unsafeUninitializedCapacity: 64) { out in writeHash(of: utf8, into: out) }
        }
    }

    /// Calls `body` with the 64 hex digits of the SHA-256 of `utf8`, on the stack.
    @inline(__always)
    static func withHash<R>(of utf8: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { hex in
            let count = writeHash(of: utf8, into: hex)
            return body(UnsafeBufferPointer(rebasing: hex[..<count]))
        }
    }

    /// Writes the 64 hex digits of the SHA-256 of `utf8` into `out` (at least 64 bytes); returns 64.
    private static func writeHash(of utf8: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            guard let target = digest.baseAddress, let write = out.baseAddress, out.count >= 64 else { return 0 }
            // OpenSSL reads nothing for an empty input, but wants a pointer all the same.
            let ok = withUnsafeBytes(of: UInt8(0)) { empty in
                tagd_sha256(UnsafeRawPointer(utf8.baseAddress) ?? empty.baseAddress, utf8.count, target)
            }
            // OpenSSL's SHA-256 over a stack context fails only for a null context: never here.
            precondition(ok == 1, "OpenSSL's SHA-256 failed")
            hexPairs.withUnsafeBufferPointer { pairs in
                let target = UnsafeMutableRawPointer(write)
                for i in 0..<32 {
                    target.storeBytes(of: pairs[Int(digest[i])], toByteOffset: 2 * i, as: UInt16.self)
                }
            }
            return 64
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
