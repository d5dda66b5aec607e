/// `ct`: lower-case and keep only letters, combining marks and digits, so "St. Louis", "St Louis" and
/// "st-louis" meet (`stlouis`) while accents stay (`zürich`): Meta's and Pinterest's plugins do the same.
enum CityNormalizer {
    static func normalize(_ value: String) -> String? {
        let out: String
        if ASCII.isASCII(value) {
            // Letters lower-cased and digits kept, written in one pass.
            out = String(unsafeUninitializedCapacity: value.utf8.count) { buffer in
                var n = 0
                for b in value.utf8 where ASCII.isLetter(b) || ASCII.isDigit(b) {
                    buffer[n] = ASCII.lower(b)
                    n += 1
                }
                return n
            }
        } else {
            let lowered = UnicodeText.lower(value)
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
