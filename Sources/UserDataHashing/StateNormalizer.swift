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
        var letters: [UInt8] = []
        for b in value.utf8 {
            if ASCII.isLetter(b) {
                letters.append(ASCII.lower(b))
                if letters.count > 2 { return nil }
            } else if b != UInt8(ascii: ".") && !ASCII.isSpace(b) {
                return nil
            }
        }
        return letters.count == 2 ? String(decoding: letters, as: UTF8.self) : nil
    }

    /// Folded name -> code, built once from `StateNames.table`.
    static let names: [String: String] = NameTable.build(StateNames.table)
}
