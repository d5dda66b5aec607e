/// Builds a folded-name look-up from `name|code` lines, so the tables can be written readably (with accents,
/// capitals and punctuation) and still be matched by `UnicodeText.foldedWords`. The first entry for a key wins.
enum NameTable {
    static func build(_ lines: String...) -> [String: String] {
        var table: [String: String] = [:]
        for text in lines {
            for line in text.split(separator: "\n") {
                guard let bar = line.lastIndex(of: "|") else { continue }
                let code = String(line[line.index(after: bar)...])
                guard let words = UnicodeText.foldedWords(String(line[..<bar])), !words.isEmpty else { continue }
                for key in keys(words) where table[key] == nil { table[key] = code }
            }
        }
        return table
    }

    /// The plain key plus the spellings people commonly use for the same name: "Saint" as "St",
    /// and "and" written as "&" (which folding drops). A leading "the" is dropped, as look-ups drop it.
    private static func keys(_ words: [String]) -> [String] {
        let words = words.count > 1 && words[0] == "the" ? Array(words.dropFirst()) : words
        var keys = [words.joined()]
        if words.contains("saint") { keys.append(words.map { $0 == "saint" ? "st" : $0 }.joined()) }
        if words.count > 2, words.contains("and") { keys.append(words.filter { $0 != "and" }.joined()) }
        return keys
    }
}
