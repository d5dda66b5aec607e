import TagdJSON

/// `UserDataNormalizer.prepare` for ASCII text, on bytes: the same result for every ASCII input, written into a
/// buffer instead of `String`s (the string route made two to four per value, nine values a hit). A field whose
/// rule needs a table look-up by words (a state or country name, a gender, a birth date) is declined, and so is
/// any text that is not ASCII: the caller then takes the string route.
enum ASCIINormalizer {
    enum Outcome: Equatable {
        /// Not handled here: use `UserDataNormalizer.prepare`.
        case declined
        /// The value is omitted.
        case omitted
        /// `out[..<count]` is the text to hash.
        case plain(count: Int)
        /// `out[..<count]` already is a SHA-256 (lower-cased hex): sent as it is.
        case alreadyHashed(count: Int)
    }

    /// Normalizes `raw` into `out`, which must hold at least `raw.count` bytes.
    static func prepare(
        _ field: UserDataField, _ raw: UnsafeBufferPointer<UInt8>, externalIDRule: UserDataNormalizer.ExternalIDRule,
        into out: UnsafeMutableBufferPointer<UInt8>
    ) -> Outcome {
        guard out.count >= raw.count, UTF8Bytes.isASCII(raw) else { return .declined }
        if SHA256Hex.isWireHash(utf8: raw) { return .alreadyHashed(count: copy(raw[...], to: out)) }
        var start = 0, end = raw.count
        while start < end, ASCII.isSpace(raw[start]) { start += 1 }
        while end > start, ASCII.isSpace(raw[end - 1]) { end -= 1 }
        let value = raw[start..<end]
        if value.isEmpty { return .omitted }
        if SHA256Hex.isHashed(value) {
            for (i, b) in value.enumerated() { out[i] = ASCII.lower(b) }
            return .alreadyHashed(count: 64)
        }
        let count: Int?
        switch field {
        case .em: count = email(value, out)
        case .ph: count = phone(value, out)
        case .fn, .ln, .hashed_maids: count = lowered(value, out)
        case .external_id: count = externalIDRule == .trimmed ? copy(value, to: out) : lowered(value, out)
        case .ct: count = city(value, out)
        case .zp: count = postalCode(value, out)
        case .st:
            guard let code = twoLetterState(value, out) else { return .declined }
            count = code
        case .country:
            guard let code = twoLetterCountry(value, out) else { return .declined }
            count = code
        case .ge, .db:
            return .declined
        }
        guard let count, count > 0 else { return .omitted }
        return .plain(count: count)
    }

    private static func copy(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, to out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        for (i, b) in bytes.enumerated() { out[i] = b }
        return bytes.count
    }

    private static func lowered(_ value: Slice<UnsafeBufferPointer<UInt8>>, _ out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        for (i, b) in value.enumerated() { out[i] = ASCII.lower(b) }
        return value.count
    }

    /// `EmailNormalizer`: whitespace removed, lower-cased, `<>` and `mailto:` unwrapped, then checked.
    private static func email(_ value: Slice<UnsafeBufferPointer<UInt8>>, _ out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var n = 0
        for b in value where !ASCII.isSpace(b) {
            out[n] = ASCII.lower(b)
            n += 1
        }
        var lower = 0, upper = n
        while true {
            if upper - lower >= 2, out[lower] == UInt8(ascii: "<"), out[upper - 1] == UInt8(ascii: ">") {
                lower += 1
                upper -= 1
            } else if upper - lower >= mailto.count, mailto.enumerated().allSatisfy({ out[lower + $0.offset] == $0.element }) {
                lower += mailto.count
            } else {
                break
            }
        }
        // Exactly one `@` after a non-empty local part; a domain of two or more non-empty dot-separated labels.
        var at: Int? = nil
        for i in lower..<upper where out[i] == UInt8(ascii: "@") {
            if at != nil { return nil }
            at = i
        }
        guard let at, at > lower else { return nil }
        var previous = UInt8(ascii: "."), dots = 0
        for i in (at + 1)..<upper {
            let b = out[i]
            if b == UInt8(ascii: ".") {
                if previous == UInt8(ascii: ".") { return nil }
                dots += 1
            }
            previous = b
        }
        guard dots > 0, previous != UInt8(ascii: ".") else { return nil }
        if lower > 0 {
            for i in lower..<upper { out[i - lower] = out[i] }
        }
        return upper - lower
    }

    private static let mailto = Array("mailto:".utf8)

    /// `PhoneNormalizer` for ASCII: `tel:` and an extension cut, a `(0)` trunk marker after an international
    /// prefix skipped, digits kept without leading zeros, 7 to 15 of them; letters and number separators omit.
    private static func phone(_ value: Slice<UnsafeBufferPointer<UInt8>>, _ out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        // Lower-cased into `out` first: the markers compare simply there.
        var n = lowered(value, out)
        var begin = 0
        if n >= 4, out[0] == UInt8(ascii: "t"), out[1] == UInt8(ascii: "e"), out[2] == UInt8(ascii: "l"),
           out[3] == UInt8(ascii: ":") {
            begin = 4
        }
        n = cutExtension(out, begin, n)
        var digits = 0  // written over the front of `out`, never past the byte being read
        var sawPlus = false
        var i = begin
        while i < n {
            let c = out[i]
            i += 1
            if ASCII.isDigit(c) {
                out[digits] = c
                digits += 1
                if digits > 40 { return nil }
            } else if c == UInt8(ascii: "+") {
                if sawPlus || digits > 0 { return nil }
                sawPlus = true
            } else if c == UInt8(ascii: "(") {
                let international = sawPlus || (digits >= 2 && out[0] == 0x30 && out[1] == 0x30)
                if international, digits > 0, let after = trunkMarkerEnd(out, from: i, to: n) { i = after }
            } else if ASCII.isLetter(c) || separators.contains(c) {
                return nil
            }
        }
        var lead = 0
        while lead < digits, out[lead] == 0x30 { lead += 1 }
        let significant = digits - lead
        guard (7...15).contains(significant) else { return nil }
        for j in 0..<significant { out[j] = out[lead + j] }
        return significant
    }

    private static let separators: [UInt8] = Array("/,;|&".utf8)
    private static let extensionMarkers: [[UInt8]] = ["extension", "extn", "ext", "x", "#"].map { Array($0.utf8) }

    /// The new end of `out[begin..<end]` once a trailing `ext 123`, `x123`, `#123` is removed.
    private static func cutExtension(_ out: UnsafeMutableBufferPointer<UInt8>, _ begin: Int, _ end: Int) -> Int {
        var j = end
        while j > begin, ASCII.isDigit(out[j - 1]) { j -= 1 }
        guard j < end else { return end }
        var k = j
        while k > begin, out[k - 1] == UInt8(ascii: ".") || out[k - 1] == UInt8(ascii: ":") || ASCII.isSpace(out[k - 1]) {
            k -= 1
        }
        for marker in extensionMarkers where k - begin > marker.count {
            if marker.enumerated().allSatisfy({ out[k - marker.count + $0.offset] == $0.element }) {
                return k - marker.count
            }
        }
        return end
    }

    /// If `out[from..<end]` continues `0)` (spaces allowed), the index after `)`.
    private static func trunkMarkerEnd(_ out: UnsafeMutableBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        var i = start
        while i < end, ASCII.isSpace(out[i]) { i += 1 }
        guard i < end, out[i] == UInt8(ascii: "0") else { return nil }
        i += 1
        while i < end, ASCII.isSpace(out[i]) { i += 1 }
        guard i < end, out[i] == UInt8(ascii: ")") else { return nil }
        return i + 1
    }

    /// `CityNormalizer`: letters lower-cased and digits, nothing else.
    private static func city(_ value: Slice<UnsafeBufferPointer<UInt8>>, _ out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var n = 0
        for b in value where ASCII.isLetter(b) || ASCII.isDigit(b) {
            out[n] = ASCII.lower(b)
            n += 1
        }
        return n
    }

    /// `PostalCodeNormalizer`: a US ZIP's first five digits, else lower-cased without spaces and dashes.
    private static func postalCode(_ value: Slice<UnsafeBufferPointer<UInt8>>, _ out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let base = value.startIndex
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { ASCII.isDigit(value[base + $0]) } }
        let isZip: Bool
        switch value.count {
        case 5: isZip = digits(0..<5)
        case 9: isZip = digits(0..<9)
        case 10: isZip = digits(0..<5) && (value[base + 5] == UInt8(ascii: "-") || ASCII.isSpace(value[base + 5])) && digits(6..<10)
        default: isZip = false
        }
        if isZip { return copy(value.prefix(5), to: out) }
        var n = 0
        for b in value where !ASCII.isSpace(b) && b != UInt8(ascii: "-") {
            out[n] = ASCII.lower(b)
            n += 1
        }
        return n
    }

    /// `StateNormalizer`'s two-letter code (dots and spaces ignored); nil for anything else (a name).
    private static func twoLetterState(_ value: Slice<UnsafeBufferPointer<UInt8>>, _ out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var count = 0
        for b in value {
            if ASCII.isLetter(b) {
                guard count < 2 else { return nil }
                out[count] = ASCII.lower(b)
                count += 1
            } else if b != UInt8(ascii: ".") && !ASCII.isSpace(b) {
                return nil
            }
        }
        return count == 2 ? 2 : nil
    }

    /// `CountryNormalizer`'s usual case, two letters that are an ISO code; nil for anything else.
    private static func twoLetterCountry(_ value: Slice<UnsafeBufferPointer<UInt8>>, _ out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        guard value.count == 2, let a = value.first, let b = value.last, ASCII.isLetter(a), ASCII.isLetter(b) else {
            return nil
        }
        out[0] = ASCII.lower(a)
        out[1] = ASCII.lower(b)
        return ISO3166.isAlpha2(out[0], out[1]) ? 2 : nil
    }
}
