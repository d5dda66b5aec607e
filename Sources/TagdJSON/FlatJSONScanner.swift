/// The fast path of `FlatJSON.parse`: one pass over the bytes that writes each node straight into the document's
/// buffer, where the grammar (`JSONParser` with a `FlatJSONBuilder`) goes through a builder and appends each node
/// to an array (a uniqueness and a capacity check per node); it cost about 20 instructions a byte of a hit.
///
/// It reads the usual document only, and declines (nil) the rest: a key that is escaped or not ASCII, an object of
/// more than 32 members, a repeated key, nesting past the limit, and any error. `FlatJSON.parse` hands those to the
/// grammar, which reads them as before and names the error. What it accepts it reads node for node and byte for
/// byte as the grammar does (`FlatJSONScannerTests` hold it to that over generated and damaged documents).
struct FlatJSONScanner {
    private let source: UnsafeBufferPointer<UInt8>
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private var index = 0
    private var depth = 0
    private var nodes = UnsafeMutableBufferPointer<FlatJSON.Node>(start: nil, count: 0)
    private var room = 0
    private var nodeCount = 0
    /// The nodes did not fit in `room`: the caller scans again with room for any document of this size.
    private var outOfRoom = false
    /// The document's bytes: the source, then the decoded text of each escaped or non-ASCII string.
    private var bytes: [UInt8]

    private init(source: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>) {
        self.source = source
        self.base = base
        count = source.count
        // Room for what intake adds to an event (`fillRootMember`: an address and a user agent).
        bytes = []
        bytes.reserveCapacity(source.count + 256)
        bytes.append(contentsOf: source)
    }

    /// `source` as `FlatJSON.parse` reads it, or nil when the grammar must read it.
    static func scan(_ source: UnsafeBufferPointer<UInt8>) -> FlatJSON? {
        guard let base = source.baseAddress, !source.isEmpty else { return nil }
        var scanner = FlatJSONScanner(source: source, base: base)
        // A value is at least one byte and each but the first follows its own ',' ':' '[' or '{': at most
        // (n + 1) / 2 nodes. Usual documents take far fewer; the first try reserves about what they take.
        let bound = source.count / 2 + 2
        var room = min(bound, 16 + source.count / 8)
        while true {
            let nodes = [FlatJSON.Node](unsafeUninitializedCapacity: room + 4) { buffer, initialized in
                initialized = scanner.scan(into: buffer, room: room) ? scanner.nodeCount : 0
            }
            if !nodes.isEmpty { return FlatJSON(trustedNodes: nodes, bytes: scanner.takeBytes()) }
            guard scanner.outOfRoom, room < bound else { return nil }
            room = bound
            scanner.bytes.removeSubrange(source.count...)
        }
    }

    /// The bytes, moved out (a `swap`: no retain and release, as handing over a copy would cost).
    private mutating func takeBytes() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        return taken
    }

    /// Scans the whole document into `buffer`; false when declined or out of room.
    private mutating func scan(into buffer: UnsafeMutableBufferPointer<FlatJSON.Node>, room: Int) -> Bool {
        nodes = buffer
        self.room = min(room, buffer.count)
        index = 0
        depth = 0
        nodeCount = 0
        outOfRoom = false
        skipWhitespace()
        guard scanValue() else { return false }
        skipWhitespace()
        return index == count
    }

    @inline(__always)
    private mutating func write(_ node: FlatJSON.Node) -> Bool {
        guard nodeCount < room else {
            outOfRoom = true
            return false
        }
        nodes[nodeCount] = node  // a trivial type: assigning initializes
        nodeCount += 1
        return true
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        guard index < count, base[index] <= 0x20 else { return }
        skipWhitespaceBytes()
    }

    @inline(never)
    private mutating func skipWhitespaceBytes() {
        while index < count {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func scanValue() -> Bool {
        guard index < count else { return false }
        switch base[index] {
        case UInt8(ascii: "\""): return scanStringValue()
        case UInt8(ascii: "{"): return scanObject()
        case UInt8(ascii: "["): return scanArray()
        case UInt8(ascii: "t"): return scanLiteral("true", kind: .bool, payload: 1)
        case UInt8(ascii: "f"): return scanLiteral("false", kind: .bool, payload: 0)
        case UInt8(ascii: "n"): return scanLiteral("null", kind: .null, payload: 0)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return scanNumber()
        default: return false
        }
    }

    private mutating func scanLiteral(_ literal: StaticString, kind: JSONKind, payload: UInt64) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard length <= count - index else { return false }
        for offset in 0..<length where base[index + offset] != literal.utf8Start[offset] { return false }
        index += length
        return write(scalar(kind, payload))
    }

    @inline(__always)
    private func scalar(_ kind: JSONKind, _ payload: UInt64) -> FlatJSON.Node {
        FlatJSON.Node(payload: payload, count: 0, end: UInt32(truncatingIfNeeded: nodeCount + 1), kind: kind)
    }

    private mutating func scanNumber() -> Bool {
        guard let (value, end) = JSONParser.number(in: source, at: index) else { return false }
        index = end
        switch value {
        case .int(let int): return write(scalar(.int, UInt64(bitPattern: int)))
        case .double(let double): return write(scalar(.double, double.bitPattern))
        }
    }

    @inline(__always)
    private mutating func scanStringValue() -> Bool {
        if let end = plainStringEnd(from: index + 1) {  // most values, as most keys (see `scanObject`)
            let start = index + 1
            index = end + 1
            return write(FlatJSON.Node(payload: UInt64(start), count: UInt32(truncatingIfNeeded: end - start),
                                       end: UInt32(truncatingIfNeeded: nodeCount + 1), kind: .string, isASCII: true))
        }
        guard let string = scanString() else { return false }
        if !string.escaped, string.isASCII {
            return write(FlatJSON.Node(payload: UInt64(string.start), count: UInt32(truncatingIfNeeded: string.end - string.start),
                                       end: UInt32(truncatingIfNeeded: nodeCount + 1), kind: .string, isASCII: true))
        }
        return writeDecoded(string)
    }

    /// An escaped or non-ASCII string: its text (escapes decoded, invalid UTF-8 repaired) after the source, as
    /// `FlatJSONBuilder` appends it.
    @inline(never)
    private mutating func writeDecoded(_ string: JSONParser.ScannedString) -> Bool {
        let content = UnsafeBufferPointer(start: base + string.start, count: string.end - string.start)
        var text = JSONParser.text(content, escaped: string.escaped)
        let offset = bytes.count
        let isASCII = text.withUTF8 { utf8 in
            bytes.append(contentsOf: utf8)
            return UTF8Bytes.isASCII(utf8)
        }
        return write(FlatJSON.Node(payload: UInt64(offset), count: UInt32(truncatingIfNeeded: bytes.count - offset),
                                   end: UInt32(truncatingIfNeeded: nodeCount + 1), kind: .string, isASCII: isASCII))
    }

    private mutating func scanObject() -> Bool {
        depth += 1
        guard depth <= JSONParser.maxDepth else { return false }
        let mark = nodeCount
        guard write(FlatJSON.Node(payload: 0, count: 0, end: 0, kind: .object)) else { return false }
        index += 1
        skipWhitespace()
        var members = 0
        if index < count, base[index] == UInt8(ascii: "}") {
            index += 1
            return endContainer(mark, .object, members)
        }
        var keyBits: UInt64 = 0  // `FlatJSON.asciiKeyBit` of each key so far
        while true {
            guard index < count, base[index] == UInt8(ascii: "\""), members < 32 else { return false }
            // Most keys are plain ASCII and end within 16 bytes: found here, in two words, without the call to
            // `scanString` (whose setup cost more than the scan). Anything else is scanned from the quote again.
            let key: JSONParser.ScannedString
            if let end = plainStringEnd(from: index + 1) {
                key = JSONParser.ScannedString(start: index + 1, end: end, escaped: false, isASCII: true)
                index = end + 1
            } else {
                guard let scanned = scanString(), !scanned.escaped, scanned.isASCII else { return false }
                key = scanned
            }
            let name = UnsafeBufferPointer(start: base + key.start, count: key.end - key.start)
            let bit = Self.keyBit(name)
            if keyBits & bit != 0, Self.repeats(name, base: base, nodes: nodes, from: mark + 1, to: nodeCount) {
                return false
            }
            keyBits |= bit
            guard write(FlatJSON.Node(payload: UInt64(key.start), count: UInt32(truncatingIfNeeded: name.count),
                                      end: UInt32(truncatingIfNeeded: nodeCount + 1), kind: .string, isASCII: true))
            else { return false }
            if index < count, base[index] != UInt8(ascii: ":") { skipWhitespace() }  // compact: the colon right here
            guard index < count, base[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            // Most values are strings: scanned here, not through `scanValue`'s call and switch.
            if index < count, base[index] == UInt8(ascii: "\"") {
                guard scanStringValue() else { return false }
            } else {
                guard scanValue() else { return false }
            }
            members += 1
            skipWhitespace()
            guard index < count else { return false }
            switch base[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                return endContainer(mark, .object, members)
            default:
                return false
            }
        }
    }

    /// One of 64 bits for a key, by its length and its first and last bytes: equal keys get the same bit, so a
    /// key whose bit its object has not seen repeats none of its keys (cheaper than `FlatJSON.asciiKeyBit`; a
    /// collision costs a look at the earlier keys of the same length).
    @inline(__always)
    private static func keyBit(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let first = name.first, let last = name.last else { return 1 }
        return 1 &<< ((UInt64(name.count) &* 7 &+ UInt64(first) &+ UInt64(last) &* 3) & 63)
    }

    /// Whether `name` is the key of an earlier member of an object, whose first key is node `from` (its keys so
    /// far are all plain ASCII, in the source: equal as `String`s only when equal byte for byte).
    @inline(never)
    private static func repeats(
        _ name: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, nodes: UnsafeMutableBufferPointer<FlatJSON.Node>,
        from first: Int, to nodeCount: Int
    ) -> Bool {
        var key = first
        while key < nodeCount {
            let node = nodes[key]
            if Int(node.count) == name.count,
                UTF8Bytes.equal(UnsafeBufferPointer(start: base + Int(node.payload), count: Int(node.count)), name)
            {
                return true
            }
            key = Int(nodes[key + 1].end)
        }
        return false
    }

    private mutating func scanArray() -> Bool {
        depth += 1
        guard depth <= JSONParser.maxDepth else { return false }
        let mark = nodeCount
        guard write(FlatJSON.Node(payload: 0, count: 0, end: 0, kind: .array)) else { return false }
        index += 1
        skipWhitespace()
        var elements = 0
        if index < count, base[index] == UInt8(ascii: "]") {
            index += 1
            return endContainer(mark, .array, elements)
        }
        while true {
            guard scanValue() else { return false }
            elements += 1
            skipWhitespace()
            guard index < count else { return false }
            switch base[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                return endContainer(mark, .array, elements)
            default:
                return false
            }
        }
    }

    @inline(__always)
    private mutating func endContainer(_ mark: Int, _ kind: JSONKind, _ members: Int) -> Bool {
        nodes[mark] = FlatJSON.Node(payload: 0, count: UInt32(truncatingIfNeeded: members),
                                    end: UInt32(truncatingIfNeeded: nodeCount), kind: kind)
        depth -= 1
        return true
    }

    /// Moves past the string at `index` (its opening quote) as `JSONParser` checks it: its escapes valid, no
    /// control character; nil where that throws.
    @inline(__always)
    private mutating func scanString() -> JSONParser.ScannedString? {
        let start = index + 1
        var i = start, escaped = false, isASCII = true
        while true {
            // Until a byte above 0x7F, the scan stops at one too: noting ASCII then costs nothing per word.
            i = isASCII ? skipPlainStringBytes(from: i, stoppingAtNonASCII: true)
                : skipPlainStringBytes(from: i, stoppingAtNonASCII: false)
            guard i < count else { return nil }
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                index = i + 1
                return JSONParser.ScannedString(start: start, end: i, escaped: escaped, isASCII: isASCII)
            }
            if byte >= 0x80 {
                isASCII = false
                i += 1
                continue
            }
            guard byte == UInt8(ascii: "\\"), i + 1 < count else { return nil }
            escaped = true
            switch base[i + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 2
            case UInt8(ascii: "u"):
                guard count - i >= 6, isHex(base[i + 2]), isHex(base[i + 3]), isHex(base[i + 4]), isHex(base[i + 5])
                else { return nil }
                i += 6
            default:
                return nil
            }
        }
    }

    /// Where a plain ASCII string that starts at `start` ends (its closing quote), when that is within the next
    /// 16 bytes; nil for a longer string or one with a backslash, a control or non-ASCII byte before its quote.
    @inline(__always)
    private func plainStringEnd(from start: Int) -> Int? {
        guard start <= count &- 16 else { return nil }
        let raw = UnsafeRawPointer(base)
        var special = Self.specialBytes(raw.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        var offset = start
        if special == 0 {
            offset = start + 8
            special = Self.specialBytes(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            if special == 0 { return nil }
        }
        let end = offset + special.trailingZeroBitCount / 8
        return base[end] == UInt8(ascii: "\"") ? end : nil
    }

    /// The high bit of each byte of `word` that is a quote, a backslash, a control character or above 0x7F, exact
    /// up to the lowest such byte (`skipPlainStringBytes`' test).
    @inline(__always)
    private static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
        return (((word &- ones &* 0x20) & ~word) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | word)
            & 0x8080_8080_8080_8080
    }

    @inline(__always)
    private func isHex(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    /// The index of the first byte from `i` on that is a quote, a backslash or a control character (or, when
    /// asked, above 0x7F), eight at a time: as `JSONParser`'s scan.
    @inline(__always)
    private func skipPlainStringBytes(from start: Int, stoppingAtNonASCII: Bool) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawPointer(base)
        var i = start
        let lastWord = count &- 8
        while i <= lastWord {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
            let special = ((word &- ones &* 0x20) & ~word) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                | (stoppingAtNonASCII ? word : 0)
            if special & highs != 0 {
                return i + (special & highs).trailingZeroBitCount / 8
            }
            i += 8
        }
        while i < count {
            let byte = base[i]
            guard byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), !(stoppingAtNonASCII && byte >= 0x80)
            else { return i }
            i += 1
        }
        return i
    }
}
