#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as numbers, so proxy checks compare integers instead of strings and every textual
/// spelling of one address (`::FFFF:10.0.0.1`, `10.0.0.1`, `0:0::1`) compares equal.
enum IPAddress: Hashable, Sendable {
    case v4(UInt32)
    /// High and low 64 bits, network order.
    case v6(UInt64, UInt64)

    /// Parses with `inet_pton`. A zone (`fe80::1%eth0`) is dropped; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes IPv4,
    /// because a dual-stack listener reports IPv4 clients that way.
    init?(_ text: some StringProtocol) {
        var text = String(text)
        if let percent = text.utf8.firstIndex(of: UInt8(ascii: "%")) { text = String(text[..<percent]) }
        if text.utf8.contains(UInt8(ascii: ":")) {
            var address = in6_addr()
            // `withCString`, not the implicit conversion: that copies a small string into a new array.
            guard text.withCString({ inet_pton(AF_INET6, $0, &address) }) == 1 else { return nil }
            let (high, low) = withUnsafeBytes(of: &address) { bytes in
                (bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            }
            if high == 0, low >> 32 == 0xFFFF {
                self = .v4(UInt32(truncatingIfNeeded: low))
            } else {
                self = .v6(high, low)
            }
        } else {
            var address = in_addr()
            guard text.withCString({ inet_pton(AF_INET, $0, &address) }) == 1 else { return nil }
            self = .v4(withUnsafeBytes(of: &address) { bytes in bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } })
        }
    }

    /// Canonical text from `inet_ntop`: dotted quad for IPv4, RFC 5952 compressed lower-case for IPv6.
    var text: String {
        switch self {
        case .v4(let value):
            // What inet_ntop writes, without its buffers: a dotted quad fits a small (inline) string.
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        case .v6(let high, let low):
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { raw in
                for i in 0..<8 { raw[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i))) }
                for i in 0..<8 { raw[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i))) }
            }
            return Self.format(family: AF_INET6, &address)
        }
    }

    private static func format<Address>(family: Int32, _ address: inout Address) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = withUnsafeBytes(of: &address) { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(family, raw.baseAddress, out.baseAddress, socklen_t(out.count))
            }
        }
        guard written != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Parses an address as it appears in `X-Forwarded-For` or `X-Real-IP`: possibly quoted, possibly with a port
    /// (`1.2.3.4:5678`, `[2001:db8::1]:443`).
    init?(forwardedEntry entry: some StringProtocol) {
        var text = Substring(entry).trimmingASCIIWhitespace()
        if text.utf8.count >= 2, text.utf8.first == UInt8(ascii: "\""), text.utf8.last == UInt8(ascii: "\"") {
            text = text.dropFirst().dropLast()
        }
        if text.utf8.first == UInt8(ascii: "[") {
            guard let close = text.utf8.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            text = text[text.utf8.index(after: text.startIndex)..<close]
        } else if let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")), text.utf8.lastIndex(of: UInt8(ascii: ":")) == colon {
            text = text[..<colon]  // one colon: IPv4 with a port
        }
        self.init(text)
    }
}

extension Substring {
    /// Trims spaces and tabs (HTTP's optional whitespace) on bytes, without Foundation or grapheme breaking.
    func trimmingASCIIWhitespace() -> Substring {
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { bytes.formIndex(after: &start) }
        while start < end {
            let last = bytes.index(before: end)
            guard bytes[last] == 0x20 || bytes[last] == 0x09 else { break }
            end = last
        }
        return self[start..<end]
    }
}
