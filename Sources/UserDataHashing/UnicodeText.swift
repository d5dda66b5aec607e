import Foundation

/// The Unicode steps every hashed field shares (RULES.md, "For every hashed field"): trimming, NFC,
/// locale-independent full lower-casing and decimal-digit folding. Each has an ASCII fast path, because the
/// browser and the server must agree byte for byte and most input is plain ASCII. Scripts get `trim` and
/// `lower` as `text.trim`/`text.lower`, so a tag's own clean-up matches the hashing rules exactly.
public enum UnicodeText {
    /// Unicode White_Space plus U+FEFF (a BOM or zero-width no-break space pasted in from a spreadsheet).
    @inline(__always) static func isSpace(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return ASCII.isSpace(UInt8(s.value)) }
        return s.value == 0xFEFF || s.properties.isWhitespace
    }

    /// `s` without leading and trailing White_Space / U+FEFF.
    public static func trim(_ s: String) -> String {
        // The usual case: starts and ends with a visible ASCII character, so there is nothing to trim.
        if let first = s.utf8.first, let last = s.utf8.last, endsAreVisibleASCII(first, last) {
            return s
        }
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) }) ?? first
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return s }
        return String(scalars[first...last])
    }

    /// Whether trimming leaves `utf8` (valid UTF-8) as it is.
    static func isTrimmed(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = utf8.first, let last = utf8.last else { return true }
        if endsAreVisibleASCII(first, last) { return true }
        return trim(String(decoding: utf8, as: UTF8.self)).utf8.count == utf8.count
    }

    /// Whether `utf8` is non-empty and starts and ends with a visible ASCII character: then trimming leaves it
    /// as it is.
    @inline(__always)
    static func hasVisibleASCIIEnds(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = utf8.first, let last = utf8.last else { return false }
        return endsAreVisibleASCII(first, last)
    }

    @inline(__always)
    private static func endsAreVisibleASCII(_ first: UInt8, _ last: UInt8) -> Bool {
        first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80
    }

    /// Canonical composition (NFC), so "e" + U+0301 and "é" hash the same. ASCII is already NFC.
    static func nfc(_ s: String) -> String {
        ASCII.isASCII(s) ? s : s.precomposedStringWithCanonicalMapping
    }

    /// Locale-independent full lower-casing (`İ` -> `i̇`, `ß` stays `ß`), including the one context-dependent
    /// rule of SpecialCasing.txt that is not locale-specific: capital sigma at the end of a word becomes final
    /// sigma `ς` (`ΟΔΥΣΣΕΥΣ` -> `οδυσσευς`). Swift's `lowercased()` does the rest but maps every Σ to σ.
    public static func lower(_ s: String) -> String {
        var text = s
        switch text.withUTF8(ASCIICase.of) {
        case .lower: return s
        case .mixed: return text.withUTF8(lowerASCII)
        case .notASCII: break
        }
        guard s.unicodeScalars.contains("\u{03A3}") else { return s.lowercased() }
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, scalar) in scalars.enumerated() {
            if scalar == "\u{03A3}" {
                out.append(isFinalSigma(at: i, in: scalars) ? "\u{03C2}" : "\u{03C3}")
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    private enum ASCIICase {
        case lower, mixed, notASCII

        static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> ASCIICase {
            var upper = false
            for b in bytes {
                if b >= 0x80 { return .notASCII }
                if b &- 0x41 < 26 { upper = true }
            }
            return upper ? .mixed : .lower
        }
    }

    /// ASCII lower-cased in one allocation (Swift's `lowercased()` looks at scalars first).
    private static func lowerASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            for i in 0..<bytes.count { out[i] = ASCII.lower(bytes[i]) }
            return bytes.count
        }
    }

    /// Unicode's Final_Sigma condition: preceded by a cased letter (skipping case-ignorables) and not followed
    /// by one.
    private static func isFinalSigma(at i: Int, in scalars: [Unicode.Scalar]) -> Bool {
        var j = i - 1
        while j >= 0, scalars[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0, scalars[j].properties.isCased else { return false }
        var k = i + 1
        while k < scalars.count, scalars[k].properties.isCaseIgnorable { k += 1 }
        return !(k < scalars.count && scalars[k].properties.isCased)
    }

    /// The value 0...9 of a Unicode decimal digit (ASCII, Arabic-Indic, full-width, Devanagari, ...), else nil.
    @inline(__always) static func decimalDigit(_ s: Unicode.Scalar) -> UInt8? {
        if s.value < 0x80 { return ASCII.isDigit(UInt8(s.value)) ? UInt8(s.value) - 0x30 : nil }
        guard s.properties.numericType == .decimal, let v = s.properties.numericValue else { return nil }
        return UInt8(v)
    }

    /// `s` with every Unicode decimal digit replaced by its ASCII digit; everything else unchanged.
    static func asciiDigits(_ s: String) -> String {
        if ASCII.isASCII(s) { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if scalar.value >= 0x80, let d = decimalDigit(scalar) {
                out.append(Unicode.Scalar(0x30 + d))
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Folds `s` to lower-case ASCII words for table look-ups (country and state names): accents are dropped
    /// (`ü` -> `u`), a few letters without a decomposition are spelled out (`ß` -> `ss`, `ø` -> `o`), and any
    /// run of spaces or punctuation separates words. Returns nil when `s` holds a digit or a letter that does
    /// not fold to a-z (another script): such a value can match no entry.
    static func foldedWords(_ s: String) -> [String]? {
        var words: [String] = []
        var current: [UInt8] = []
        func endWord() {
            if !current.isEmpty {
                words.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if ASCII.isASCII(s) {
            for b in s.utf8 {
                if ASCII.isLetter(b) { current.append(ASCII.lower(b)) }
                else if ASCII.isDigit(b) { return nil }
                else { endWord() }
            }
            endWord()
            return words
        }
        for scalar in lower(s.precomposedStringWithCanonicalMapping).unicodeScalars {
            if scalar.value < 0x80 {
                let b = UInt8(scalar.value)
                if ASCII.isLetter(b) { current.append(ASCII.lower(b)) }
                else if ASCII.isDigit(b) { return nil }
                else { endWord() }
                continue
            }
            if let spelled = spelledOut[scalar] {
                current.append(contentsOf: spelled.utf8)
                continue
            }
            let props = scalar.properties
            if props.generalCategory.isMark { continue }  // a lone combining accent
            if props.isAlphabetic || props.numericType != nil {
                // Accented Latin letters decompose to an ASCII letter plus combining marks.
                var base: UInt8? = nil
                for part in String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars {
                    if part.value < 0x80, ASCII.isLetter(UInt8(part.value)), base == nil {
                        base = ASCII.lower(UInt8(part.value))
                    } else if !part.properties.generalCategory.isMark {
                        return nil
                    }
                }
                guard let base else { return nil }
                current.append(base)
            } else {
                endWord()  // non-ASCII punctuation or space
            }
        }
        endWord()
        return words
    }

    private static let spelledOut: [Unicode.Scalar: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    ]
}

extension Unicode.GeneralCategory {
    /// Mn, Mc or Me.
    var isMark: Bool {
        switch self {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// Lu, Ll, Lt, Lm or Lo.
    var isLetter: Bool {
        switch self {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
}
