/// Parses `Cookie` header values into name -> value.
///
/// Browsers and SDKs are sloppy, so this is forgiving: pairs split on `;`, spaces and tabs around names and values
/// are dropped, a value wrapped in double quotes loses them (RFC 6265 allows quoted values), a part without `=` or
/// with an empty name is ignored, and the first of duplicate names wins (browsers send the most specific path
/// first). Values are not percent-decoded: `_ga` and friends are read raw.
enum CookieHeader {
    static func parse(_ headerValues: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headerValues {
            for partBytes in header.utf8.split(separator: UInt8(ascii: ";")) {
                let part = Substring(partBytes)
                guard let equals = part.utf8.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let name = part[..<equals].trimmingASCIIWhitespace()
                guard !name.isEmpty else { continue }
                var value = part[part.utf8.index(after: equals)...].trimmingASCIIWhitespace()
                if value.utf8.count >= 2, value.utf8.first == UInt8(ascii: "\""), value.utf8.last == UInt8(ascii: "\"") {
                    value = value.dropFirst().dropLast()
                }
                let key = String(name)
                if cookies[key] == nil { cookies[key] = String(value) }
            }
        }
        return cookies
    }
}
