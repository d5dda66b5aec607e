import TagdJSON

/// Reads a number sent as text (`epn.*`, `upn.*`, item price and quantity). Integral text stays an integer so a
/// quantity of `2` is not sent on as `2.0`; anything else must be a finite decimal number.
enum NumericText {
    static func parse(_ text: String) -> JSONValue? {
        var text = text
        // On the contiguous bytes: enumerating `String.UTF8View` cost a few hundred instructions a number.
        let (valid, integral) = text.withUTF8 { bytes -> (Bool, Bool) in
            var sawDigit = false
            var integral = true
            for offset in bytes.indices {
                switch bytes[offset] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
                case UInt8(ascii: "-"), UInt8(ascii: "+"): if offset != 0 { integral = false }
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): integral = false
                default: return (false, false)  // rules out hex floats, "inf", "nan" and spaces, which Double(_:) would accept
                }
            }
            return (sawDigit, integral)
        }
        guard valid else { return nil }
        if integral, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else { return nil }
        return .double(double)
    }
}
