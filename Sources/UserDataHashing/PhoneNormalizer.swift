/// `ph`: digits only, with the country code if the user typed one, never an invented one.
///
/// Cuts a trailing extension, drops the `(0)` trunk marker of internationally written numbers
/// (`+44 (0)20` -> `4420`), folds any Unicode decimal digits to ASCII, strips leading zeros (which also removes
/// an international `00` prefix and a national trunk `0`) and keeps 7 to 15 digits (E.164's maximum).
/// Vanity letters and two numbers in one field are omitted rather than guessed at.
enum PhoneNormalizer {
    static func normalize(_ value: String) -> String? {
        // Scalars with decimal digits folded to ASCII and ASCII lower-cased, so markers compare simply.
        var chars: [Unicode.Scalar] = []
        chars.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            if let d = UnicodeText.decimalDigit(scalar) {
                chars.append(Unicode.Scalar(0x30 + d))
            } else if scalar.value < 0x80 {
                chars.append(Unicode.Scalar(ASCII.lower(UInt8(scalar.value))))
            } else if scalar == "\u{FF0B}" {  // full-width plus
                chars.append("+")
            } else {
                chars.append(scalar)
            }
        }
        if chars.starts(with: tel) { chars.removeFirst(tel.count) }
        cutExtension(&chars)

        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var sawPlus = false
        var i = 0
        while i < chars.count {
            let c = chars[i]
            i += 1
            if c.value >= 0x30, c.value <= 0x39 {
                digits.append(UInt8(c.value))
                if digits.count > 40 { return nil }  // far past any phone number; stop early
            } else if c == "+" {
                if sawPlus || !digits.isEmpty { return nil }  // a second number, or a stray plus mid-number
                sawPlus = true
            } else if c == "(" {
                let international = sawPlus || digits.starts(with: [0x30, 0x30])
                if international, !digits.isEmpty, let after = trunkMarkerEnd(chars, from: i) { i = after }
            } else if c.value < 0x80 {
                // ASCII without Set hashing or Unicode property look-ups.
                let b = UInt8(c.value)
                if asciiNumberSeparators.contains(b) || ASCII.isLetter(b) { return nil }
            } else if numberSeparators.contains(c) {
                return nil
            } else if c.properties.isAlphabetic {
                return nil  // vanity number ("1-800-FLOWERS") or free text
            }
            // Anything else (spaces, dashes, dots, brackets) is formatting.
        }
        let significant = digits.drop(while: { $0 == 0x30 })
        guard (7...15).contains(significant.count) else { return nil }
        return String(decoding: significant, as: UTF8.self)
    }

    private static let tel: [Unicode.Scalar] = ["t", "e", "l", ":"]

    /// Characters that join two numbers in one field ("+1 650 555 1212 / +1 650 555 1313").
    private static let numberSeparators: Set<Unicode.Scalar> = ["/", ",", ";", "|", "&", "\u{FF0F}", "\u{FF0C}"]

    /// The ASCII members of `numberSeparators`.
    private static let asciiNumberSeparators: [UInt8] = Array("/,;|&".utf8)

    /// Longest first, so "ext" is not read as a trailing "x".
    private static let extensionMarkers: [[Unicode.Scalar]] = [
        ["e", "x", "t", "e", "n", "s", "i", "o", "n"], ["e", "x", "t", "n"], ["e", "x", "t"], ["x"], ["#"],
    ]

    /// Removes a trailing `ext 123`, `ext. 123`, `x123`, `#123` (marker, optional `.`/`:`/spaces, digits).
    private static func cutExtension(_ chars: inout [Unicode.Scalar]) {
        var j = chars.count
        while j > 0, chars[j - 1].value >= 0x30, chars[j - 1].value <= 0x39 { j -= 1 }
        guard j < chars.count else { return }
        var k = j
        while k > 0, chars[k - 1] == "." || chars[k - 1] == ":" || UnicodeText.isSpace(chars[k - 1]) { k -= 1 }
        let head = chars[..<k]
        for marker in extensionMarkers where head.count > marker.count && head.suffix(marker.count).elementsEqual(marker) {
            chars.removeSubrange((k - marker.count)...)
            return
        }
    }

    /// If `chars[from...]` continues `0)` (spaces allowed), the index after `)`: a `(0)` trunk marker.
    private static func trunkMarkerEnd(_ chars: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start
        while i < chars.count, UnicodeText.isSpace(chars[i]) { i += 1 }
        guard i < chars.count, chars[i] == "0" else { return nil }
        i += 1
        while i < chars.count, UnicodeText.isSpace(chars[i]) { i += 1 }
        guard i < chars.count, chars[i] == ")" else { return nil }
        return i + 1
    }
}
