/// `zp`: a US ZIP (`12345`, `12345-6789`, `12345 6789`, `123456789`) becomes its first five digits;
/// any other postcode is lower-cased with spaces and dashes removed (`SW1A 1AA` -> `sw1a1aa`).
enum PostalCodeNormalizer {
    static func normalize(_ value: String) -> String? {
        // The usual case, five ASCII digits, is already normalized.
        if value.utf8.count == 5, value.utf8.allSatisfy(ASCII.isDigit) { return value }
        let folded = UnicodeText.asciiDigits(value)
        if isUSZip(folded) { return String(folded.unicodeScalars.prefix(5)) }
        var out = String.UnicodeScalarView()
        for scalar in UnicodeText.lower(folded).unicodeScalars
        where !UnicodeText.isSpace(scalar) && !isDash(scalar) {
            out.append(scalar)
        }
        return out.isEmpty ? nil : String(out)
    }

    /// A JSON number given as a ZIP: leading zeros were lost (`2108` is `02108`), so pad to five digits.
    static func normalize(number: Int64) -> String? {
        guard number >= 0 else { return nil }
        let digits = String(number)
        return normalize(digits.count < 5 ? String(repeating: "0", count: 5 - digits.count) + digits : digits)
    }

    /// `^\d{5}([-\s]?\d{4})?$` over ASCII digits, without a regex engine.
    private static func isUSZip(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        func digits(_ range: Range<Int>) -> Bool {
            scalars[range].allSatisfy { $0.value >= 0x30 && $0.value <= 0x39 }
        }
        switch scalars.count {
        case 5: return digits(0..<5)
        case 9: return digits(0..<9)
        case 10: return digits(0..<5) && (scalars[5] == "-" || UnicodeText.isSpace(scalars[5])) && digits(6..<10)
        default: return false
        }
    }

    /// ASCII hyphen-minus, Unicode dash punctuation (‐ ‑ – — ...) and the minus sign.
    private static func isDash(_ s: Unicode.Scalar) -> Bool {
        s == "-" || s == "\u{2212}" || (s.value >= 0x80 && s.properties.generalCategory == .dashPunctuation)
    }
}
