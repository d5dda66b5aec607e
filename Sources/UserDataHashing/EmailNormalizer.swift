/// `em`: remove all whitespace, lower-case, strip a leading `mailto:` and surrounding `<>`; keep only values
/// with exactly one `@` and a dotted domain. No Gmail dot or `+tag` removal: that is Google's rule, and
/// applying it would make our hashes differ from those of advertisers who follow Pinterest's.
enum EmailNormalizer {
    static func normalize(_ value: String) -> String? {
        var bytes = loweredWithoutWhitespace(value)[...]
        // Wrappers can nest either way round: "<mailto:a@b.c>", "mailto:<a@b.c>".
        while true {
            if bytes.count >= 2, bytes.first == UInt8(ascii: "<"), bytes.last == UInt8(ascii: ">") {
                bytes = bytes.dropFirst().dropLast()
            } else if bytes.starts(with: mailto) {
                bytes = bytes.dropFirst(mailto.count)
            } else {
                break
            }
        }
        guard isValid(bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let mailto = Array("mailto:".utf8)

    /// Exactly one `@`, a non-empty local part, and a domain of two or more non-empty dot-separated labels
    /// (so no leading, trailing or doubled dot). Bytes are UTF-8: non-ASCII never collides with `@` or `.`.
    private static func isValid(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > bytes.startIndex else { return false }
        let domain = bytes[(at + 1)...]
        guard !domain.contains(UInt8(ascii: "@")), domain.contains(UInt8(ascii: ".")) else { return false }
        var previous = UInt8(ascii: ".")  // a leading dot counts as an empty label
        for b in domain {
            if b == UInt8(ascii: "."), previous == UInt8(ascii: ".") { return false }
            previous = b
        }
        return previous != UInt8(ascii: ".")
    }

    /// The UTF-8 of `s` without whitespace, lower-cased; ASCII in one pass over the bytes.
    private static func loweredWithoutWhitespace(_ s: String) -> [UInt8] {
        if ASCII.isASCII(s) {
            var out: [UInt8] = []
            out.reserveCapacity(s.utf8.count)
            for b in s.utf8 where !ASCII.isSpace(b) { out.append(ASCII.lower(b)) }
            return out
        }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: s.unicodeScalars.lazy.filter { !UnicodeText.isSpace($0) })
        return Array(UnicodeText.lower(String(kept)).utf8)
    }
}
