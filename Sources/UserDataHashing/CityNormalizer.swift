/// `ct`: lower-case and keep only letters, combining marks and digits, so "St. Louis", "St Louis" and
/// "st-louis" meet (`stlouis`) while accents stay (`zürich`): Meta's and Pinterest's plugins do the same.
enum CityNormalizer {
    static func normalize(_ value: String) -> String? {
        let lowered = UnicodeText.lower(value)
        let out: String
        if ASCII.isASCII(lowered) {
            out = String(decoding: lowered.utf8.filter { ASCII.isLower($0) || ASCII.isDigit($0) }, as: UTF8.self)
        } else {
            var scalars = String.UnicodeScalarView()
            for scalar in lowered.unicodeScalars {
                let category = scalar.properties.generalCategory
                if category.isLetter || category.isMark || category == .decimalNumber { scalars.append(scalar) }
            }
            out = String(scalars)
        }
        return out.isEmpty ? nil : out
    }
}
