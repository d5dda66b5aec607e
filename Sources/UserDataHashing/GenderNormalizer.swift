/// `ge`: one of `f`, `m`, `n`; words Pinterest's own plugins and other platforms accept are mapped, anything
/// else omitted (an unmapped value would only ever hash to a useless key).
enum GenderNormalizer {
    static func normalize(_ value: String) -> String? {
        let lowered = UnicodeText.lower(value)
        // Collapse inner whitespace runs so "non   binary" matches "non binary".
        let words = lowered.unicodeScalars.split(whereSeparator: UnicodeText.isSpace).map { String(String.UnicodeScalarView($0)) }
        return table[words.joined(separator: " ")]
    }

    private static let table: [String: String] = [
        "f": "f", "female": "f", "woman": "f",
        "m": "m", "male": "m", "man": "m",
        "n": "n", "non-binary": "n", "nonbinary": "n", "non binary": "n", "nb": "n",
    ]
}
