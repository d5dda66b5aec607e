/// Compact JSON with sorted object keys, written by hand so that output is byte-for-byte reproducible
/// (tests compare bodies exactly). It runs once for every event accepted for delivery, so it avoids a heap
/// allocation per object or number and copies strings that need no escaping whole.
extension JSONValue {
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    public func encodedString() -> String {
        String(decoding: encoded(), as: UTF8.self)
    }

    public func write(to out: inout [UInt8]) {
        JSONWriter.write(self, to: &out)
    }
}

enum JSONWriter {
    static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
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
            writeObject(members, to: &out)
        }
    }

    /// Members sorted by `String`'s `<` on the keys. Small objects, which is all of an event, are sorted
    /// in a stack buffer by insertion sort.
    private static func writeObject(_ members: [String: JSONValue], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if members.count > 32 {
            var first = true
            for member in members.sorted(by: { $0.key < $1.key }) {
                writeMember(member.key, member.value, first: first, to: &out)
                first = false
            }
        } else if !members.isEmpty {
            withUnsafeTemporaryAllocation(of: (key: String, value: JSONValue).self, capacity: members.count) { sorted in
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
                for index in 0..<count {
                    writeMember(sorted[index].key, sorted[index].value, first: index == 0, to: &out)
                }
                _ = UnsafeMutableBufferPointer(rebasing: sorted[..<count]).deinitialize()
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func writeMember(_ key: String, _ value: JSONValue, first: Bool, to out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        writeString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        write(value, to: &out)
    }

    /// Decimal digits without making a `String`.
    static func writeInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Integral values below 1e15 without a fraction; non-finite ones as null (JSON has no NaN or infinity).
    static func writeDouble(_ d: Double, to out: inout [UInt8]) {
        guard d.isFinite else {
            out.append(contentsOf: "null".utf8)
            return
        }
        if d == d.rounded(.towardZero), abs(d) < 1e15 {
            writeInteger(Int64(d), to: &out)
        } else {
            out.append(contentsOf: d.description.utf8)
        }
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = s
        text.withUTF8 { bytes in
            // Most strings need no escape: copy them whole.
            if !needsEscape(bytes) {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case 0x0A: out.append(contentsOf: "\\n".utf8)
                case 0x0D: out.append(contentsOf: "\\r".utf8)
                case 0x09: out.append(contentsOf: "\\t".utf8)
                case 0..<0x20:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigit(byte >> 4))
                    out.append(hexDigit(byte & 0xF))
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether any byte is below 0x20, a quote or a backslash. Eight bytes at a time (the exact
    /// "has a zero byte" / "has a byte less than" bit tricks): a byte loop was most of the writer's time.
    static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawBufferPointer(bytes)
        var offset = 0
        while offset + 8 <= raw.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
            let below = (word &- ones &* 0x20) & ~word
            let zeroQuote = (quote &- ones) & ~quote
            let zeroBackslash = (backslash &- ones) & ~backslash
            if (below | zeroQuote | zeroBackslash) & highs != 0 { return true }
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
