import TagdJSON

/// Parses one `prN` value (`idSKU-1~nmShirt~pr19.99~qt2~k0color~v0red`) into an `items[]` entry.
///
/// Fields are `~`-separated and start with a two-character code. Unknown codes are kept under the code itself, so
/// a code Google adds later is not lost; `kN`/`vN` pairs become custom item parameters named by `kN`.
enum GA4ItemParser {
    enum Failure: Error {
        case fieldTooShort(String)
        case notANumber(code: String, value: String)
    }

    static func parse(_ text: String) throws(Failure) -> [String: JSONValue] {
        var item: [String: JSONValue] = [:]
        var customNames: [Character: String] = [:]
        var customValues: [Character: String] = [:]
        for fieldBytes in text.utf8.split(separator: UInt8(ascii: "~")) {
            // Codes are two ASCII bytes; decoding repairs a code cut through a non-ASCII character instead of trapping.
            guard fieldBytes.count >= 2 else { throw .fieldTooShort(String(decoding: fieldBytes, as: UTF8.self)) }
            let codeEnd = fieldBytes.index(fieldBytes.startIndex, offsetBy: 2)
            let code = String(decoding: fieldBytes[..<codeEnd], as: UTF8.self)
            let value = String(decoding: fieldBytes[codeEnd...], as: UTF8.self)
            if let slot = customSlot(code, letter: "k") {
                customNames[slot] = value
            } else if let slot = customSlot(code, letter: "v") {
                customValues[slot] = value
            } else if let key = GA4ParameterNames.itemFields[code] {
                if GA4ParameterNames.numericItemFields.contains(code) {
                    guard let number = NumericText.parse(value) else { throw .notANumber(code: code, value: value) }
                    item[key] = number
                } else {
                    item[key] = .string(value)
                }
            } else {
                item[code] = .string(value)
            }
        }
        for (slot, name) in customNames {
            if let value = customValues.removeValue(forKey: slot) {
                if item[name] == nil { item[name] = .string(value) }  // a standard field wins over a custom namesake
            } else {
                item["k\(slot)"] = .string(name)
            }
        }
        for (slot, value) in customValues { item["v\(slot)"] = .string(value) }
        return item
    }

    /// The digit of a `k0`...`k9` / `v0`...`v9` code.
    private static func customSlot(_ code: String, letter: Character) -> Character? {
        guard code.count == 2, code.first == letter, let digit = code.last, digit.isASCII, digit.isNumber else {
            return nil
        }
        return digit
    }
}
