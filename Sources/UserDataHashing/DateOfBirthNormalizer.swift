/// `db`: `YYYYMMDD`, from the numeric layouts people and forms actually produce. Anything ambiguous beyond
/// repair (two-digit years, month names) is omitted rather than guessed, since a wrong date hashes to a
/// different person.
///
/// Accepted: `YYYY-M-D`, `YYYY/M/D`, `YYYY.M.D` (optionally followed by an ISO time, `T...` or ` hh...`),
/// `YYYYMMDD`, `D.M.YYYY` (dots mean day first) and `a/b/YYYY` or `a-b-YYYY` (month first unless `a` > 12).
/// The result must be a real calendar date from 1900-01-01 up to and including today.
enum DateOfBirthNormalizer {
    typealias Day = (year: Int, month: Int, day: Int)

    static func normalize(_ value: String, today: Day) -> String? {
        let bytes = Array(UnicodeText.asciiDigits(value).utf8)
        guard let date = parse(bytes), isValid(date, today: today) else { return nil }
        var out = [UInt8](repeating: 0x30, count: 8)
        var n = date.year * 10_000 + date.month * 100 + date.day
        for i in stride(from: 7, through: 0, by: -1) {
            out[i] = UInt8(0x30 + n % 10)
            n /= 10
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func parse(_ b: [UInt8]) -> Day? {
        if b.count == 8, b.allSatisfy(ASCII.isDigit) {
            return (number(b[0..<4]), number(b[4..<6]), number(b[6..<8]))
        }
        guard let first = digitRun(b, from: 0), first.end < b.count else { return nil }
        let separator = b[first.end]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") || separator == UInt8(ascii: ".") else {
            return nil
        }
        guard let second = digitRun(b, from: first.end + 1), (1...2).contains(second.length),
            second.end < b.count, b[second.end] == separator,
            let third = digitRun(b, from: second.end + 1)
        else { return nil }
        let a = number(b[first.start..<first.end])
        let m = number(b[second.start..<second.end])
        let c = number(b[third.start..<third.end])

        if first.length == 4, (1...2).contains(third.length) {
            // Year first; an ISO date-time keeps its date part.
            guard third.end == b.count || isTimeStart(b, at: third.end) else { return nil }
            return (a, m, c)
        }
        guard (1...2).contains(first.length), third.length == 4, third.end == b.count else { return nil }
        if separator == UInt8(ascii: ".") { return (c, m, a) }  // D.M.YYYY
        return a > 12 ? (c, m, a) : (c, a, m)  // a/b/YYYY: month first unless a can only be a day
    }

    /// `T12:00`, `t12:00` or ` 12:00` after the date.
    private static func isTimeStart(_ b: [UInt8], at i: Int) -> Bool {
        guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return false }
        return i + 1 < b.count && ASCII.isDigit(b[i + 1])
    }

    private static func digitRun(_ b: [UInt8], from start: Int) -> (start: Int, end: Int, length: Int)? {
        var end = start
        while end < b.count, ASCII.isDigit(b[end]) { end += 1 }
        let length = end - start
        return length == 0 || length > 4 ? nil : (start, end, length)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    static func isValid(_ d: Day, today: Day) -> Bool {
        guard d.year >= 1900, (1...12).contains(d.month), d.day >= 1, d.day <= daysIn(month: d.month, year: d.year)
        else { return false }
        return (d.year, d.month, d.day) <= (today.year, today.month, today.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
