/// Compact JSON with sorted object keys, written by hand so that output is byte-for-byte reproducible
/// (tests compare bodies exactly). It runs once for every event accepted for delivery, so it avoids a heap
/// allocation per object or number and copies strings that need no escaping whole.
extension JSONValue {
    public func encoded() -> [UInt8] {
        var out = JSONOutput(capacity: 256)
        JSONWriter.write(self, to: &out)
        return out.bytes
    }

    public func encodedString() -> String {
        String(decoding: encoded(), as: UTF8.self)
    }

    public func write(to out: inout [UInt8]) {
        out.append(contentsOf: encoded())
    }
}

/// The encoder's pieces. Public so that a walk that does more than write (the sender's schema check)
/// writes exactly what `encoded()` writes.
public enum JSONWriter {
    public static func write(_ value: JSONValue, to out: inout JSONOutput) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): writeInteger(i, to: &out)
        case .double(let d): writeDouble(d, to: &out)
        case .string(let s): writeString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            withSortedMembers(members) { sorted in
                for index in sorted.indices {
                    writeKey(sorted[index].key, first: index == 0, to: &out)
                    write(sorted[index].value, to: &out)
                }
                return true
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Calls `body` with the members sorted by `String`'s `<` on the keys: the order `encoded()` writes;
    /// returns what `body` returns. Small objects, which is all of an event, are sorted in a stack buffer by
    /// insertion sort. Not generic: called across modules, a generic function paid for metadata lookups.
    @discardableResult
    public static func withSortedMembers(
        _ members: [String: JSONValue], _ body: (UnsafeBufferPointer<(key: String, value: JSONValue)>) -> Bool
    ) -> Bool {
        if members.count > 32 {
            return members.sorted(by: { $0.key < $1.key }).withUnsafeBufferPointer(body)
        }
        return withUnsafeTemporaryAllocation(of: (key: String, value: JSONValue).self, capacity: members.count) { sorted in
            var count = 0
            for member in members {
                sorted.initializeElement(at: count, to: member)
                var index = count
                while index > 0, sorted[index].key < sorted[index - 1].key {
                    sorted.swapAt(index, index - 1)
                    index -= 1
                }
                count += 1
            }
            defer { _ = UnsafeMutableBufferPointer(rebasing: sorted[..<count]).deinitialize() }
            return body(UnsafeBufferPointer(rebasing: sorted[..<count]))
        }
    }

    /// `"key":`, after a comma unless it is the object's first member.
    public static func writeKey(_ key: String, first: Bool, to out: inout JSONOutput) {
        var key = key
        key.withUTF8 { writeKey(utf8: $0, first: first, to: &out) }
    }

    /// As `writeKey(_:first:to:)`, for a key's UTF-8 bytes.
    public static func writeKey(utf8 key: UnsafeBufferPointer<UInt8>, first: Bool, to out: inout JSONOutput) {
        if !first { out.append(UInt8(ascii: ",")) }
        writeString(utf8: key, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    /// Decimal digits without making a `String`.
    public static func writeInteger(_ value: Int64, to out: inout JSONOutput) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Integral values below 1e15 without a fraction; non-finite ones as null (JSON has no NaN or infinity).
    public static func writeDouble(_ d: Double, to out: inout JSONOutput) {
        guard d.isFinite else {
            out.append("null")
            return
        }
        if d == d.rounded(.towardZero), abs(d) < 1e15 {
            writeInteger(Int64(d), to: &out)
        } else {
            var text = d.description
            text.withUTF8 { out.append($0) }
        }
    }

    public static func writeString(_ s: String, to out: inout JSONOutput) {
        var text = s
        text.withUTF8 { writeString(utf8: $0, to: &out) }
    }

    /// As `writeString(_:to:)`, for valid UTF-8 bytes.
    public static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout JSONOutput) {
        out.append(UInt8(ascii: "\""))
        writeStringContent(utf8: bytes, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// A string's bytes between its quotes, escaped where needed.
    static func writeStringContent(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout JSONOutput) {
        // Most strings need no escape: copy them whole.
        if !needsEscape(bytes) {
            out.append(bytes)
        } else {
            writeEscaped(bytes, to: &out)
        }
    }

    /// As `writeStringContent(utf8:to:)`, for bytes that lie inside `buffer` (a document's): the scan for
    /// escapes and the copy in one pass of words, when the last word stays inside `buffer`.
    @inline(__always)
    static func writeStringContent(
        utf8 bytes: UnsafeBufferPointer<UInt8>, within buffer: UnsafeBufferPointer<UInt8>, to out: inout JSONOutput
    ) {
        let count = bytes.count
        guard let start = bytes.baseAddress, let bufferStart = buffer.baseAddress, count <= 256,
            start - bufferStart + (count + 7) & ~7 <= buffer.count
        else {
            writeStringContent(utf8: bytes, to: &out)
            return
        }
        // Words are copied whole; the bytes past the end are counted out of the scan as 'A's, and are
        // overwritten by what follows.
        let to = UnsafeMutableRawPointer(out.reserve(count + 8)), from = UnsafeRawPointer(start)
        var offset = 0, found: UInt64 = 0
        while offset < count {
            var word = from.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            to.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
            let rest = count - offset
            if rest < 8 {
                let kept: UInt64 = (1 &<< UInt64(8 * rest)) &- 1
                word = UInt64(littleEndian: word) & kept | 0x4141_4141_4141_4141 & ~kept
            }
            found |= escapeBits(word)
            offset += 8
        }
        if found == 0 {
            out.commit(count)
        } else {
            writeEscaped(bytes, to: &out)
        }
    }

    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout JSONOutput) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out.append("\\\"")
            case UInt8(ascii: "\\"): out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            case 0..<0x20:
                out.append("\\u00")
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xF))
            default: out.append(byte)
            }
        }
    }

    /// Non-zero when a byte of `word` is below 0x20, a quote or a backslash (the exact "has a zero byte" /
    /// "has a byte less than" bit tricks, for the word as a whole).
    @inline(__always)
    static func escapeBits(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
        let below = (word &- ones &* 0x20) & ~word
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return (below | zeroQuote | zeroBackslash) & highs
    }

    /// Whether any byte is below 0x20, a quote or a backslash. Eight bytes at a time (the exact
    /// "has a zero byte" / "has a byte less than" bit tricks): a byte loop was most of the writer's time.
    static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var offset = 0
        while offset + 8 <= raw.count {
            if escapeBits(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) != 0 { return true }
            offset += 8
        }
        while offset < raw.count {
            let byte = raw[offset]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
            offset += 1
        }
        return false
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
