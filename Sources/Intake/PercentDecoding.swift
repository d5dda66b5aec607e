/// `application/x-www-form-urlencoded` decoding on bytes (`+` is a space, `%XX` a byte), which is what both the
/// query string and the `/g/collect` body use. Working on UTF-8 bytes avoids Foundation's per-component cost on the
/// hot path.
enum PercentDecoding {
    /// Decodes `bytes`. An invalid escape (`%` not followed by two hex digits) is kept literally and reported through
    /// `sawInvalidEscape`, so lenient callers (request info) and strict ones (GA4) share one pass. Invalid UTF-8 in
    /// the result is repaired with U+FFFD: a badly encoded page title should not cost the whole hit.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, sawInvalidEscape: inout Bool) -> String {
        // Most names and values have nothing to decode: one scan, then the bytes as they are.
        for byte in bytes where byte == UInt8(ascii: "%") || byte == UInt8(ascii: "+") {
            return decode(bytes[...], sawInvalidEscape: &sawInvalidEscape)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decode(_ bytes: some Collection<UInt8>, sawInvalidEscape: inout Bool) -> String {
        // Fast path: nothing to decode.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                if first != bytes.endIndex, let high = hexValue(bytes[first]) {
                    let second = bytes.index(after: first)
                    if second != bytes.endIndex, let low = hexValue(bytes[second]) {
                        out.append(high << 4 | low)
                        index = bytes.index(after: second)
                        continue
                    }
                }
                sawInvalidEscape = true
                out.append(byte)
            } else {
                out.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
