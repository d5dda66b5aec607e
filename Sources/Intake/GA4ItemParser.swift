import TagdJSON

/// Parses one `prN` value (`idSKU-1~nmShirt~pr19.99~qt2~k0color~v0red`) into an `items[]` entry, appended to the
/// event being built.
///
/// Fields are `~`-separated and start with a two-character code. Unknown codes are kept under the code itself, so
/// a code Google adds later is not lost; `kN`/`vN` pairs become custom item parameters named by `kN`.
///
/// Works on the UTF-8 bytes and writes the item's members as byte ranges of the value: a dictionary of `String`s
/// per item, converted afterwards, cost several times more.
enum GA4ItemParser {
    enum Failure: Error {
        case fieldTooShort(String)
        case notANumber(code: String, value: String)
        case tooManyFields(limit: Int)
    }

    /// The most fields one item may have: GA4 defines about 27 item parameters and 10 custom pairs. Each field is
    /// matched against the item's members so far, so the limit also bounds that work on a hostile item.
    static let maxFields = 64

    /// Appends the item object to `document`, whose `GA4KeyBlock` starts at `keyBase`.
    static func append(_ text: String, to document: inout FlatJSON, keyBase: Int) throws(Failure) {
        var text = text
        try text.withUTF8 { bytes in Result { () throws(Failure) in try append(bytes, to: &document, keyBase: keyBase) } }.get()
    }

    /// A member's key: a standard field (its index in `codes`), bytes of the value, or text repaired from bytes
    /// cut through a character.
    private enum Key {
        case standard(Int)
        case bytes(start: Int, count: Int)
        case text(String)
    }

    private enum Value {
        case bytes(start: Int, count: Int)
        case text(String)
        case number(JSONValue)
    }

    private struct Custom {
        let slot: Int
        let isName: Bool
        /// Where the field starts (its code is the `kN` / `vN` key of an unpaired one) and its value's bytes.
        let field: Int
        let value: Int
        let end: Int
    }

    private static func append(_ bytes: UnsafeBufferPointer<UInt8>, to document: inout FlatJSON, keyBase: Int) throws(Failure) {
        var members: [(key: Key, value: Value)] = []
        members.reserveCapacity(8)
        // `k0`...`k9` names and `v0`...`v9` values as they come (most items have none).
        var custom: [Custom] = []
        var start = 0
        var fields = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "~") { end += 1 }
            defer { start = end + 1 }
            if end == start { continue }  // empty fields (`~~`, a trailing `~`) are skipped
            fields += 1
            guard fields <= maxFields else { throw .tooManyFields(limit: maxFields) }
            let field = UnsafeBufferPointer(rebasing: bytes[start..<end])
            // Codes are two ASCII bytes; decoding repairs a code cut through a non-ASCII character instead of trapping.
            guard field.count >= 2 else { throw .fieldTooShort(String(decoding: field, as: UTF8.self)) }
            guard field[0] < 0x80, field[1] < 0x80 else {
                // The code (and so the value) cut through a character: both repaired, as `String`s.
                let code = String(decoding: UnsafeBufferPointer(rebasing: field[..<2]), as: UTF8.self)
                let value = String(decoding: UnsafeBufferPointer(rebasing: field[2...]), as: UTF8.self)
                set(.text(code), .text(value), in: &members, bytes)
                continue
            }
            if let slot = customSlot(field) {
                custom.append(Custom(slot: slot, isName: field[0] == UInt8(ascii: "k"), field: start, value: start + 2, end: end))
                continue
            }
            let value = Value.bytes(start: start + 2, count: end - start - 2)
            let code = UInt16(field[0]) << 8 | UInt16(field[1])
            if let target = codes.firstIndex(where: { $0.code == code }) {
                if codes[target].isNumeric {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: field[2...]), as: UTF8.self)
                    guard let number = NumericText.parse(text) else {
                        throw .notANumber(code: String(decoding: UnsafeBufferPointer(rebasing: field[..<2]), as: UTF8.self), value: text)
                    }
                    set(.standard(target), .number(number), in: &members, bytes)
                } else {
                    set(.standard(target), value, in: &members, bytes)
                }
            } else {
                set(.bytes(start: start, count: 2), value, in: &members, bytes)
            }
        }
        for slot in 0..<10 where !custom.isEmpty {
            // The last `kN` and the last `vN` of each digit.
            let name = custom.last { $0.slot == slot && $0.isName }
            let value = custom.last { $0.slot == slot && !$0.isName }
            switch (name, value) {
            case let (name?, value?):
                // A standard field wins over a custom namesake.
                let key = Key.bytes(start: name.value, count: name.end - name.value)
                if find(key, in: members, bytes) == nil {
                    members.append((key, .bytes(start: value.value, count: value.end - value.value)))
                }
            case let (name?, nil):
                set(.bytes(start: name.field, count: 2), .bytes(start: name.value, count: name.end - name.value), in: &members, bytes)
            case let (nil, value?):
                set(.bytes(start: value.field, count: 2), .bytes(start: value.value, count: value.end - value.value), in: &members, bytes)
            case (nil, nil): break
            }
        }

        let mark = document.beginContainer(.object, count: members.count)
        for (key, value) in members {
            switch key {
            case .standard(let index): document.appendKey(GA4KeyBlock.shared.itemKeys[index], base: keyBase)
            case .bytes(let start, let count): document.appendString(UnsafeBufferPointer(rebasing: bytes[start..<(start + count)]))
            case .text(let text): document.appendString(text)
            }
            switch value {
            case .bytes(let start, let count): document.appendString(UnsafeBufferPointer(rebasing: bytes[start..<(start + count)]))
            case .text(let text): document.appendString(text)
            case .number(let number): document.appendValue(number)
            }
        }
        document.endContainer(mark)
    }

    /// Sets `key` as a dictionary would: a later value replaces an earlier one under an equal key.
    private static func set(_ key: Key, _ value: Value, in members: inout [(key: Key, value: Value)], _ bytes: UnsafeBufferPointer<UInt8>) {
        if let existing = find(key, in: members, bytes) {
            members[existing].value = value
        } else {
            members.append((key, value))
        }
    }

    private static func find(_ key: Key, in members: [(key: Key, value: Value)], _ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        members.firstIndex { same($0.key, key, bytes) }
    }

    private static func same(_ a: Key, _ b: Key, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch (a, b) {
        case let (.standard(x), .standard(y)): return x == y
        case let (.bytes(startA, countA), .bytes(startB, countB)):
            let x = UnsafeBufferPointer(rebasing: bytes[startA..<(startA + countA)])
            let y = UnsafeBufferPointer(rebasing: bytes[startB..<(startB + countB)])
            return NestedFields.sameKey(x, UTF8Bytes.isASCII(x), y, UTF8Bytes.isASCII(y))
        case let (.standard(x), .bytes(start, count)), let (.bytes(start, count), .standard(x)):
            // Two ASCII spellings are canonically equal only when their bytes are.
            let y = UnsafeBufferPointer(rebasing: bytes[start..<(start + count)])
            if UTF8Bytes.isASCII(y) { return codes[x].key.utf8.elementsEqual(y) }
            return text(a, bytes) == text(b, bytes)
        default:
            // Repaired text, or a standard key against non-ASCII bytes: rare, compared as `String`s.
            return text(a, bytes) == text(b, bytes)
        }
    }

    private static func text(_ key: Key, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch key {
        case .standard(let index): codes[index].key
        case .bytes(let start, let count): String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + count)]), as: UTF8.self)
        case .text(let text): text
        }
    }

    /// The digit of a `k0`...`k9` / `v0`...`v9` code.
    private static func customSlot(_ field: UnsafeBufferPointer<UInt8>) -> Int? {
        guard field[0] == UInt8(ascii: "k") || field[0] == UInt8(ascii: "v"),
              field[1] >= UInt8(ascii: "0"), field[1] <= UInt8(ascii: "9")
        else { return nil }
        return Int(field[1] - UInt8(ascii: "0"))
    }

    /// `GA4ParameterNames.itemFields` by the code's two bytes: a scan of a few dozen integers costs less than
    /// hashing a `String`.
    static let codes: [(code: UInt16, key: String, isNumeric: Bool)] = GA4ParameterNames.itemFields.map { code, key in
        let utf8 = Array(code.utf8)
        precondition(utf8.count == 2, "item code \(code) is not two bytes")
        return (UInt16(utf8[0]) << 8 | UInt16(utf8[1]), key, GA4ParameterNames.numericItemFields.contains(code))
    }
}
