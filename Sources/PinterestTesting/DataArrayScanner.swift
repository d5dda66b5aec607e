/// Reads a request body the way the lean fake needs it, without building a JSON tree: checks that the
/// bytes are one JSON document by the rules of TagdJSON's parser (RFC 8259 syntax, valid escapes, no
/// control characters in strings, finite numbers, at most 128 levels; invalid UTF-8 is tolerated, as
/// the parser repairs it) and counts the elements of the top-level object's `data` array.
///
/// For FakePinterestServer's lean mode: building the tree cost the fake more CPU than the sender under
/// test spent; a scan is one pass over the bytes.
public struct DataArrayScanner {
    static let maxDepth = 128

    /// The number of elements of `data`, or nil when the body is not JSON, not an object, or its
    /// `data` (the last one, when repeated, as the parser keeps) is not an array.
    public static func dataCount(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var scanner = DataArrayScanner(bytes: bytes)
        return scanner.scanDocument()
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var depth = 0

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func scanDocument() -> Int? {
        skipWhitespace()
        guard current == UInt8(ascii: "{") else { return nil }
        var dataCount: Int?
        guard scanObject(dataCount: &dataCount) else { return nil }
        skipWhitespace()
        return index == bytes.count ? dataCount : nil
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// Scans one value of any kind.
    private mutating func scanValue() -> Bool {
        switch current {
        case UInt8(ascii: "{")?:
            var ignored: Int?
            return scanObject(dataCount: &ignored)
        case UInt8(ascii: "[")?:
            return scanArray() != nil
        case UInt8(ascii: "\"")?:
            return scanString() != nil
        case UInt8(ascii: "t")?: return literal("true")
        case UInt8(ascii: "f")?: return literal("false")
        case UInt8(ascii: "n")?: return literal("null")
        case UInt8(ascii: "-")?, (UInt8(ascii: "0")...UInt8(ascii: "9"))?: return scanNumber()
        default: return false
        }
    }

    /// An object; at the top level (depth 1 once entered) records the element count of `data`.
    private mutating func scanObject(dataCount: inout Int?) -> Bool {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { return false }
        let topLevel = depth == 1
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            guard current == UInt8(ascii: "\""), let isData = scanString() else { return false }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            if topLevel && isData {
                if current == UInt8(ascii: "[") {
                    guard let count = scanArray() else { return false }
                    dataCount = count
                } else {
                    guard scanValue() else { return false }
                    dataCount = nil  // a later `data` that is no array replaces an earlier one
                }
            } else {
                guard scanValue() else { return false }
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ",")?:
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}")?:
                index += 1
                return true
            default:
                return false
            }
        }
    }

    /// An array; returns its element count, nil when malformed.
    private mutating func scanArray() -> Int? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { return nil }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return 0
        }
        var count = 0
        while true {
            guard scanValue() else { return nil }
            count += 1
            skipWhitespace()
            switch current {
            case UInt8(ascii: ",")?:
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]")?:
                index += 1
                return count
            default:
                return nil
            }
        }
    }

    /// A string; returns whether it reads `data` (after unescaping), nil when malformed.
    private mutating func scanString() -> Bool? {
        index += 1  // opening quote
        let start = index
        var escaped = false
        while true {
            skipPlainStringBytes()
            guard let byte = current else { return nil }  // unterminated
            switch byte {
            case UInt8(ascii: "\""):
                let end = index
                index += 1
                return escaped ? Self.unescaped(bytes[start..<end]) == Array("data".utf8) : isData(start, end)
            case UInt8(ascii: "\\"):
                escaped = true
                index += 1
                switch current {
                case UInt8(ascii: "\"")?, UInt8(ascii: "\\")?, UInt8(ascii: "/")?, UInt8(ascii: "b")?,
                    UInt8(ascii: "f")?, UInt8(ascii: "n")?, UInt8(ascii: "r")?, UInt8(ascii: "t")?:
                    index += 1
                case UInt8(ascii: "u")?:
                    index += 1
                    for _ in 0..<4 {
                        guard let digit = current, Self.hexValue(digit) != nil else { return nil }
                        index += 1
                    }
                default:
                    return nil
                }
            case 0..<0x20:
                return nil
            default:
                index += 1
            }
        }
    }

    /// Moves past bytes that are neither a quote, a backslash nor a control character, eight at a
    /// time (the exact "has a zero byte" / "has a byte less than" bit tricks).
    private mutating func skipPlainStringBytes() {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
            let special = ((word &- ones &* 0x20) & ~word) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            if special & highs != 0 { break }
            index += 8
        }
        while let byte = current, byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { index += 1 }
    }

    private func isData(_ start: Int, _ end: Int) -> Bool {
        end - start == 4 && bytes[start] == UInt8(ascii: "d") && bytes[start + 1] == UInt8(ascii: "a")
            && bytes[start + 2] == UInt8(ascii: "t") && bytes[start + 3] == UInt8(ascii: "a")
    }

    private mutating func scanNumber() -> Bool {
        let start = index
        var isInteger = true
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) { return false }
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard skipDigits() > 0 else { return false }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { return false }
        }
        // The parser refuses numbers that overflow a Double (integers too long for Int64 are read as one).
        if !isInteger || index - start > 18 {
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard let value = Double(text), value.isFinite else { return false }
        }
        return true
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index - start
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = text.withUTF8Buffer { expected in bytes[index..<(index + count)].elementsEqual(expected) }
        if matches { index += count }
        return matches
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// A key with escapes, decoded (only `\uXXXX` below U+0080 and the one-letter escapes matter
    /// for comparing with `data`; anything else cannot match it and is kept as a marker byte).
    private static func unescaped(_ text: Slice<UnsafeRawBufferPointer>) -> [UInt8] {
        var out: [UInt8] = []
        var iterator = text.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "\\"), let escape = iterator.next() else {
                out.append(byte)
                continue
            }
            if escape == UInt8(ascii: "u") {
                var scalar: UInt32 = 0
                for _ in 0..<4 { scalar = scalar << 4 | UInt32(hexValue(iterator.next() ?? 0) ?? 0) }
                out.append(scalar < 0x80 ? UInt8(scalar) : 0xFF)
            } else {
                out.append(escape == UInt8(ascii: "\"") || escape == UInt8(ascii: "\\") || escape == UInt8(ascii: "/") ? escape : 0xFF)
            }
        }
        return out
    }
}
