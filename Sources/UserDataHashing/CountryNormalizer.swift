/// `country`: lower-case ISO 3166-1 alpha-2. Codes pass (alpha-2 as is, alpha-3 mapped); names, endonyms and
/// aliases ("usa", "U.K.", "England", "Deutschland", "Türkiye") are folded to a-z and looked up. Anything else is
/// omitted: hashing "europe" would only produce a key that matches nobody.
enum CountryNormalizer {
    static func normalize(_ value: String) -> String? {
        if let code = alpha2(value) { return code }
        guard var words = UnicodeText.foldedWords(value), !words.isEmpty else { return nil }
        if words.count > 1, words[0] == "the" { words.removeFirst() }
        let key = words.joined()
        switch key.utf8.count {
        case 2 where ISO3166.alpha2.contains(key): return key
        case 3: if let code = ISO3166.alpha3ToAlpha2[key] { return code }
        default: break
        }
        return names[key]
    }

    /// The usual case, two ASCII letters that are an ISO code ("US", "de"), without folding into words.
    private static func alpha2(_ value: String) -> String? {
        let utf8 = value.utf8
        guard utf8.count == 2, let a = utf8.first, let b = utf8.last, ASCII.isLetter(a), ASCII.isLetter(b) else {
            return nil
        }
        let code = String(unsafeUninitializedCapacity: 2) { out in
            out[0] = ASCII.lower(a)
            out[1] = ASCII.lower(b)
            return 2
        }
        return ISO3166.alpha2.contains(code) ? code : nil
    }

    /// Folded name or alias -> alpha-2, built once from `CountryNames`. ISO names come first, so an alias can
    /// never override an official name.
    static let names: [String: String] = NameTable.build(CountryNames.isoNames, CountryNames.aliases)
}
