/// A strict RFC 8259 parser over bytes. It exists because intake parses a JSON body per hit, and
/// Foundation's decoder (through Codable) cost about 110 us for a 500-byte hit here; this takes a few.
/// Invalid UTF-8 inside strings is repaired (U+FFFD), never fatal; nesting is limited against hostile input.
@usableFromInline
struct JSONParser {
    static let maxDepth = 128

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// `@usableFromInline`: release builds optimize across modules, and a caller elsewhere may keep a call to this
    /// small function after every caller here has inlined it (the linker then missed it).
    @usableFromInline
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var builder = JSONTreeBuilder()
        return try parse(bytes, into: &builder)
    }

    /// One grammar for every form a document is built in (a tree, a flat document).
    static func parse<Builder: JSONBuilder>(
        _ bytes: UnsafeBufferPointer<UInt8>, into builder: inout Builder
    ) throws(JSONParseError) -> Builder.Value {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(&builder)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return value
    }

    /// Checks a document by the same rules as `parse` without building it, and counts the elements of
    /// the top-level object's array member `key` (the last member of that name, which `parse` keeps).
    /// Nil when the document is not valid, not an object, or has no such array member.
    static func countOfArray(named key: String, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var parser = JSONParser(bytes: bytes)
        do throws(JSONParseError) {
            parser.skipWhitespace()
            guard parser.current == UInt8(ascii: "{") else { return nil }
            let count = try parser.skipObject(countingArrayNamed: Array(key.utf8))
            parser.skipWhitespace()
            return parser.index == bytes.count ? count : nil
        } catch {
            return nil
        }
    }

    private func error(_ reason: String) -> JSONParseError {
        JSONParseError(reason: reason, offset: index)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    @inline(__always)
    private func content(of string: ScannedString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes.baseAddress.map { $0 + string.start }, count: string.end - string.start)
    }

    /// Compact JSON has no whitespace: one compare then, the loop out of line.
    @inline(__always)
    private mutating func skipWhitespace() {
        guard index < bytes.count, bytes[index] <= 0x20 else { return }
        skipWhitespaceBytes()
    }

    @inline(never)
    private mutating func skipWhitespaceBytes() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue<Builder: JSONBuilder>(_ builder: inout Builder) throws(JSONParseError) -> Builder.Value {
        guard let byte = current else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(&builder)
        case UInt8(ascii: "["): return try parseArray(&builder)
        case UInt8(ascii: "\""):
            let string = try scanString()
            return builder.string(content(of: string), escaped: string.escaped, isASCII: string.isASCII)
        case UInt8(ascii: "t"): try expectLiteral("true"); return builder.bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return builder.bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return builder.null()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            switch try parseNumber() {
            case .int(let value): return builder.int(value)
            case .double(let value): return builder.double(value)
            }
        default: throw error("unexpected character '\(Self.printable(byte))', expected a value")
        }
    }

    /// `parseValue` without the value: the same checks, nothing built.
    private mutating func skipValue() throws(JSONParseError) {
        switch current {
        case UInt8(ascii: "{")?: _ = try skipObject(countingArrayNamed: nil)
        case UInt8(ascii: "[")?: _ = try skipArray()
        case UInt8(ascii: "\"")?: _ = try scanString()
        default:  // a literal or a number: nothing on the heap
            var builder = JSONTreeBuilder()
            _ = try parseValue(&builder)
        }
    }

    /// Skips an object; with `key`, returns the element count of its last member of that name when that
    /// member is an array.
    private mutating func skipObject(countingArrayNamed key: [UInt8]?) throws(JSONParseError) -> Int? {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        var count: Int?
        if current == UInt8(ascii: "}") {
            index += 1
            return count
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let string = try scanString()
            let named = key.map { key in
                let content = content(of: string)
                return string.escaped ? Array(Self.unescaped(content).utf8) == key : content.elementsEqual(key)
            } ?? false
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            index += 1
            skipWhitespace()
            if named {
                count = current == UInt8(ascii: "[") ? try skipArray() : nil
                if count == nil { try skipValue() }
            } else {
                try skipValue()
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ",")?:
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}")?:
                index += 1
                return count
            default:
                throw error("expected ',' or '}' in an object")
            }
        }
    }

    /// Skips an array and returns its element count.
    private mutating func skipArray() throws(JSONParseError) -> Int {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return 0
        }
        var count = 0
        while true {
            try skipValue()
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
                throw error("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("invalid literal") }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw error("invalid literal") }
        index += count
    }

    @inline(__always)
    private mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw tooDeep() }
    }

    @inline(never)
    private func tooDeep() -> JSONParseError { error("nesting deeper than \(Self.maxDepth) levels") }

    private mutating func parseObject<Builder: JSONBuilder>(_ builder: inout Builder) throws(JSONParseError) -> Builder.Value {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        var object = builder.beginObject()
        if current == UInt8(ascii: "}") {
            index += 1
            return builder.endObject(object)
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyOffset = index
            let key = try scanString()
            try builder.key(content(of: key), escaped: key.escaped, isASCII: key.isASCII, at: keyOffset, in: &object)
            if current != UInt8(ascii: ":") {  // compact JSON: the colon right after the key
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(&builder)
            builder.member(value, in: &object)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ",")?:
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}")?:
                index += 1
                return builder.endObject(object)
            default:
                throw error("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray<Builder: JSONBuilder>(_ builder: inout Builder) throws(JSONParseError) -> Builder.Value {
        try enter()
        defer { depth -= 1 }
        index += 1
        var array = builder.beginArray()
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return builder.endArray(array)
        }
        while true {
            let element = try parseValue(&builder)
            builder.element(element, in: &array)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ",")?:
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]")?:
                index += 1
                return builder.endArray(array)
            default:
                throw error("expected ',' or ']' in an array")
            }
        }
    }

    /// Where a string's content lies, whether it holds escapes, and whether its bytes are all ASCII (seen in
    /// the scan, so a builder need not read them again).
    struct ScannedString {
        let start: Int
        let end: Int
        let escaped: Bool
        let isASCII: Bool
    }

    /// Moves past a string (from its opening quote to after its closing one), checking its escapes and
    /// refusing control characters; returns where its content lies and whether it holds escapes.
    @inline(__always)
    private mutating func scanString() throws(JSONParseError) -> ScannedString {
        let start = index + 1  // after the opening quote
        var i = start, escaped = false, isASCII = true
        while true {
            // Until a byte above 0x7F, the scan stops at one too: noting ASCII then costs nothing per word.
            if isASCII {
                skipPlainStringBytes(from: &i, stoppingAtNonASCII: true)
            } else {
                skipPlainStringBytes(from: &i, stoppingAtNonASCII: false)
            }
            guard i < bytes.count else {
                index = i
                throw error("unterminated string")
            }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                index = i + 1
                return ScannedString(start: start, end: i, escaped: escaped, isASCII: isASCII)
            }
            if byte >= 0x80 {
                isASCII = false
                i += 1
                continue
            }
            index = i
            guard byte == UInt8(ascii: "\\") else { throw error("control character in a string") }
            escaped = true
            try scanEscape()
            i = index
        }
    }

    /// Moves past the escape at `index` (a backslash), checking it.
    private mutating func scanEscape() throws(JSONParseError) {
        index += 1
        guard let escape = current else { throw error("unterminated string") }
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            break
        case UInt8(ascii: "u"):
            _ = try parseHex4()
        default:
            index -= 1
            throw error("invalid escape '\\\(Self.printable(escape))'")
        }
    }

    /// Moves `i` past bytes that are neither a quote, a backslash nor a control character (nor, when asked, above
    /// 0x7F), eight at a time (the exact "has a zero byte" / "has a byte less than" bit tricks). A local index: the
    /// parser's own, in memory, cost a store per word.
    @inline(__always)
    private func skipPlainStringBytes(from i: inout Int, stoppingAtNonASCII: Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawBufferPointer(bytes)
        let lastWord = raw.count &- 8  // not `i + 8 <= count`: its overflow check cost as much as the test
        while i <= lastWord {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
            let special = ((word &- ones &* 0x20) & ~word) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                | (stoppingAtNonASCII ? word : 0)
            if special & highs != 0 {
                // The lowest flagged byte is exact (a borrow only flags bytes above a true one): step to it.
                i += (special & highs).trailingZeroBitCount / 8
                return
            }
            i += 8
        }
        while i < bytes.count {
            let byte = bytes[i]
            guard byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), !(stoppingAtNonASCII && byte >= 0x80)
            else { return }
            i += 1
        }
    }

    /// The text of string content that `scanString` has checked: escapes decoded, a surrogate pair joined,
    /// a lone surrogate replaced by U+FFFD.
    static func unescaped(_ content: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var i = 0
        while i < content.count {
            let byte = content[i]
            i += 1
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            let escape = content[i]
            i += 1
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(content, at: i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar), i + 5 < content.count,
                    content[i] == UInt8(ascii: "\\"), content[i + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(content, at: i + 2)
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: out.append(escape)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Four hex digits that `scanString` has checked.
    private static func hex4(_ content: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt32 {
        var value: UInt32 = 0
        for byte in content[i..<(i + 4)] {
            let digit = byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : (byte | 0x20) - UInt8(ascii: "a") + 10
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    enum Number {
        case int(Int64)
        case double(Double)
    }

    /// The number that starts at `index` of `bytes`, read as `parse` reads it, and the index after it; nil where
    /// `parse` would throw (`FlatJSONScanner` then leaves the document to `parse`).
    @inline(__always)
    static func number(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: Number, end: Int)? {
        var parser = JSONParser(bytes: bytes)
        parser.index = index
        do throws(JSONParseError) {
            let value = try parser.parseNumber()
            return (value, parser.index)
        } catch {
            return nil
        }
    }

    /// Checks a number and reads it in one pass over its digits. The common short forms (an integer of at most 18
    /// digits, a decimal of at most 19 digits without an exponent) are read from that pass, by the same arithmetic
    /// `int64` and `shortDecimal` do; anything else is read from the text by them as before.
    private mutating func parseNumber() throws(JSONParseError) -> Number {
        let start = index, count = bytes.count
        var i = index, negative = false
        if i < count, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < count, bytes[i] &- UInt8(ascii: "0") < 10 else {
            index = i
            throw error("invalid number")
        }
        var digits: UInt64 = 0  // every digit, the fraction's too; exact while there are at most 19
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < count, bytes[i] &- UInt8(ascii: "0") < 10 {
                index = i
                throw error("leading zero in a number")
            }
        } else {
            while i < count, case let digit = bytes[i] &- UInt8(ascii: "0"), digit < 10 {
                digits = digits &* 10 &+ UInt64(digit)
                i += 1
            }
        }
        let integerDigits = i - start - (negative ? 1 : 0)
        var fractionDigits = 0
        if i < count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fraction = i
            while i < count, case let digit = bytes[i] &- UInt8(ascii: "0"), digit < 10 {
                digits = digits &* 10 &+ UInt64(digit)
                i += 1
            }
            fractionDigits = i - fraction
            guard fractionDigits > 0 else {
                index = i
                throw error("expected digits after the decimal point")
            }
        }
        var exponent = false
        if i < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            exponent = true
            index = i + 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw error("expected digits in the exponent") }
            i = index
        }
        index = i
        if !exponent, integerDigits + fractionDigits <= 19 {
            if fractionDigits == 0, integerDigits <= 18 {
                return .int(negative ? -Int64(digits) : Int64(digits))
            }
            if fractionDigits > 0, digits <= 1 << 53, fractionDigits < Self.powersOfTen.count {
                let value = Double(digits) / Self.powersOfTen[fractionDigits]
                return .double(negative ? -value : value)
            }
        }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if !exponent, fractionDigits == 0, let integer = Self.int64(text) { return .int(integer) }
        if let double = Self.shortDecimal(text) { return .double(double) }
        guard let double = Double(String(decoding: text, as: UTF8.self)), double.isFinite else {
            throw error("number out of range")
        }
        return .double(double)
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index - start
    }

    /// A decimal without an exponent whose digits fit in 2^53, with at most 22 after the point (a price):
    /// digits / 10^k, both exact doubles, so the one division rounds correctly, as parsing the text does
    /// (Clinger's fast path). Nil for anything else.
    private static func shortDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var digits: UInt64 = 0, fraction = -1, negative = false
        for (position, byte) in text.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where position == 0: negative = true
            case UInt8(ascii: "."): fraction = 0
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits = digits &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                guard digits <= 1 << 53 else { return nil }
                if fraction >= 0 { fraction += 1 }
            default: return nil  // an exponent
            }
        }
        guard fraction >= 0, fraction < powersOfTen.count else { return nil }
        let value = Double(digits) / powersOfTen[fraction]
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...22).map { pow10($0) }

    private static func pow10(_ n: Int) -> Double {
        var value = 1.0
        for _ in 0..<n { value *= 10 }  // exact up to 1e22
        return value
    }

    /// Integer text to Int64, nil on overflow (the caller then reads it as a double).
    private static func int64(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var negative = false
        var value: Int64 = 0
        for (position, byte) in text.enumerated() {
            if position == 0, byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = negative
                ? multiplied.subtractingReportingOverflow(digit) : multiplied.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = added
        }
        return value
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }
}
