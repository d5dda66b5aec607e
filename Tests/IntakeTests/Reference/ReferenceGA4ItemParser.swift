import TagdJSON

@testable import Intake

/// The dictionary-building `GA4ItemParser` that the flat one replaced, kept unchanged for `ReferenceGA4EventMapper`.
///
/// Parses one `prN` value (`idSKU-1~nmShirt~pr19.99~qt2~k0color~v0red`) into an `items[]` entry.
///
/// Fields are `~`-separated and start with a two-character code. Unknown codes are kept under the code itself, so
/// a code Google adds later is not lost; `kN`/`vN` pairs become custom item parameters named by `kN`.
///
/// Works on the UTF-8 bytes: splitting into `String`s and testing codes as `Character`s (grapheme breaking) cost
/// about twenty thousand instructions an item.
enum ReferenceGA4ItemParser {
    enum Failure: Error {
        case fieldTooShort(String)
        case notANumber(code: String, value: String)
    }

    static func parse(_ text: String) throws(Failure) -> [String: JSONValue] {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(Failure) in try parse(bytes) } }.get()
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> [String: JSONValue] {
        var fieldCount = 1
        for byte in bytes where byte == UInt8(ascii: "~") { fieldCount += 1 }
        var item = [String: JSONValue](minimumCapacity: min(fieldCount, 32))  // `~~~~` counts, and sizes nothing
        // `k0`...`k9` names and `v0`...`v9` values as they come (most items have none).
        var custom: [(slot: Int, isName: Bool, text: String)] = []
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "~") { end += 1 }
            defer { start = end + 1 }
            if end == start { continue }  // empty fields (`~~`, a trailing `~`) are skipped
            let field = UnsafeBufferPointer(rebasing: bytes[start..<end])
            // Codes are two ASCII bytes; decoding repairs a code cut through a non-ASCII character instead of trapping.
            guard field.count >= 2 else { throw .fieldTooShort(String(decoding: field, as: UTF8.self)) }
            let value = String(decoding: UnsafeBufferPointer(rebasing: field[2...]), as: UTF8.self)
            if let slot = customSlot(field, letter: UInt8(ascii: "k")) {
                custom.append((slot, true, value))
                continue
            }
            if let slot = customSlot(field, letter: UInt8(ascii: "v")) {
                custom.append((slot, false, value))
                continue
            }
            let code = String(decoding: UnsafeBufferPointer(rebasing: field[..<2]), as: UTF8.self)
            if let target = GA4ParameterNames.itemFieldTargets[code] {
                if target.isNumeric {
                    guard let number = NumericText.parse(value) else { throw .notANumber(code: code, value: value) }
                    item[target.key] = number
                } else {
                    item[target.key] = .string(value)
                }
            } else {
                item[code] = .string(value)
            }
        }
        guard !custom.isEmpty else { return item }
        for slot in 0..<10 {
            // The last `kN` and the last `vN` of each digit.
            let name = custom.last { $0.slot == slot && $0.isName }?.text
            let value = custom.last { $0.slot == slot && !$0.isName }?.text
            switch (name, value) {
            case let (name?, value?):
                if item[name] == nil { item[name] = .string(value) }  // a standard field wins over a custom namesake
            case let (name?, nil): item["k\(slot)"] = .string(name)
            case let (nil, value?): item["v\(slot)"] = .string(value)
            case (nil, nil): break
            }
        }
        return item
    }

    /// The digit of a `k0`...`k9` / `v0`...`v9` code.
    private static func customSlot(_ field: UnsafeBufferPointer<UInt8>, letter: UInt8) -> Int? {
        guard field[0] == letter, field[1] >= UInt8(ascii: "0"), field[1] <= UInt8(ascii: "9") else { return nil }
        return Int(field[1] - UInt8(ascii: "0"))
    }
}
