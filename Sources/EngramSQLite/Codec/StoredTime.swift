import Foundation

/// How the store writes times: ISO-8601 in UTC with microseconds and an explicit offset,
/// `2026-04-14T10:22:33.123456+00:00`. Every value has the same width, so text order is time order and
/// `ORDER BY created_at` is exact; API.md prints times in the same shape.
enum StoredTime {
    private static let microsPerSecond: Int64 = 1_000_000
    private static let secondsPerDay: Int64 = 86_400

    /// A date rounded to the microsecond, as the store will read it back.
    static func normalised(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(micros(date)) / Double(microsPerSecond))
    }

    /// The stored text of `date` (rounded to the microsecond; years 0001 to 9999).
    static func string(from date: Date) -> String {
        let micros = micros(date)
        let fraction = floorMod(micros, microsPerSecond)
        let seconds = floorDiv(micros, microsPerSecond)
        let days = floorDiv(seconds, secondsPerDay)
        let secondOfDay = floorMod(seconds, secondsPerDay)
        let (year, month, day) = civil(fromDays: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        return text + "." + pad(fraction, 6) + "+00:00"
    }

    /// Reads text written by `string(from:)`; nil for anything else.
    static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 32, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "."), bytes[26...] == Array("+00:00".utf8)[...]
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let fraction = number(20..<26)
        else { return nil }
        let days = self.days(fromCivil: year, month, day)
        let seconds = days * secondsPerDay + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(seconds * microsPerSecond + fraction) / Double(microsPerSecond))
    }

    private static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * Double(microsPerSecond)).rounded())
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
    private static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

    // Days since 1970-01-01 to a proleptic Gregorian date and back (Howard Hinnant's civil algorithms).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
