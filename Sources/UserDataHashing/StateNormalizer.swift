/// `st`: a two-letter code as typed, or a US/Canadian name mapped to its code. Other names are omitted rather
/// than truncated: "Bavaria" -> "ba" would hash to Bosnia's code and match nobody.
enum StateNormalizer {
    static func normalize(_ value: String) -> String? {
        if let code = twoLetterCode(value) { return code }
        guard let words = UnicodeText.foldedWords(value), !words.isEmpty else { return nil }
        return names[words.joined()]
    }

    /// Two ASCII letters, ignoring dots and spaces ("TX.", "N.Y."), lower-cased.
    private static func twoLetterCode(_ value: String) -> String? {
        var first: UInt8 = 0
        var second: UInt8 = 0
        var count = 0
        for b in value.utf8 {
            if ASCII.isLetter(b) {
                count += 1
                if count == 1 { first = ASCII.lower(b) } else if count == 2 { second = ASCII.lower(b) } else { return nil }
            } else if b != UInt8(ascii: ".") && !ASCII.isSpace(b) {
                return nil
            }
        }
        guard count == 2 else { return nil }
        return String(unsafeUninitializedCapacity: 2) { out in
            out[0] = first
            out[1] = second
            return 2
        }
    }

    /// Folded name -> code, built once from `StateNames.table`.
    static let names: [String: String] = NameTable.build(StateNames.table)
}
