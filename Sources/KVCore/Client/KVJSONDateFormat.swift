public import Foundation

/// How ``KVJSONCodec`` writes a `Date`: RFC 3339 in UTC, with exactly the fractional digits the `Date` needs to
/// read back equal, and no fraction for whole seconds.
///
/// `2026-11-24T16:43:57Z`, `2026-11-24T16:43:57.5Z`, `2026-11-24T16:43:57.123456789Z`. The digits are those of the
/// shortest decimal that round-trips the `Date`'s `Double`, so a Swift reader gets the same `Date` back; other
/// languages read it as any RFC 3339 timestamp (to their own precision: milliseconds in JavaScript, microseconds
/// in Python). Reading also accepts a `+hh:mm` or `-hh:mm` offset, any number of fractional digits, and the
/// fraction-free form earlier versions wrote. Years run from 0001 to 9999.
///
/// ```swift
/// let text = try KVJSONDateFormat.string(from: Date())      // "2026-11-24T16:43:57.123456789Z"
/// let date = KVJSONDateFormat.date(from: text)              // the same Date
/// ```
public enum KVJSONDateFormat {
    /// Seconds from 1970-01-01 to 2001-01-01, `Date`'s reference date.
    static let referenceOffset: Int64 = 978_307_200

    /// The text for `date`; throws `EncodingError.invalidValue` outside years 0001–9999 or for a non-finite date.
    public static func string(from date: Date) throws -> String {
        let interval = date.timeIntervalSinceReferenceDate
        guard interval.isFinite, abs(interval) < 1e12, let decimal = PlainDecimal(interval) else {
            throw EncodingError.invalidValue(interval, .init(codingPath: [], debugDescription: "the date \(interval) s from 2001-01-01 is outside years 0001–9999"))
        }
        var whole = decimal.integer
        var fraction = decimal.fraction
        if decimal.negative {
            whole = -whole
            // -12.25 is -13 + 0.75: the fraction is written as a positive offset from the earlier whole second.
            if !fraction.isEmpty {
                whole -= 1
                fraction = complement(fraction)
            }
        }
        let seconds = whole + referenceOffset
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = civil(fromDays: days)
        guard (1...9999).contains(year) else {
            throw EncodingError.invalidValue(interval, .init(codingPath: [], debugDescription: "the date \(interval) s from 2001-01-01 is outside years 0001–9999"))
        }
        let time = seconds - days * 86_400
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(time / 3600, 2)):\(pad(time / 60 % 60, 2)):\(pad(time % 60, 2))"
        if !fraction.isEmpty { text += "." + fraction }
        return text + "Z"
    }

    /// The date `text` names, or nil when it is not of the form above.
    public static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[start..<(start + count)] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func expect(_ index: Int, _ characters: String) -> Bool {
            index < bytes.count && characters.utf8.contains(bytes[index])
        }
        guard let year = number(0, 4), expect(4, "-"), let month = number(5, 2), expect(7, "-"), let day = number(8, 2),
              expect(10, "Tt "), let hour = number(11, 2), expect(13, ":"), let minute = number(14, 2), expect(16, ":"),
              let second = number(17, 2),
              (1...9999).contains(year), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = ""
        if expect(index, ".") {
            index += 1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > start, index - start <= 400 else { return nil }
            fraction = String(decoding: bytes[start..<index], as: UTF8.self)
            while fraction.hasSuffix("0") { fraction.removeLast() }
        }
        var offset: Int64 = 0
        if expect(index, "Zz") {
            index += 1
        } else if expect(index, "+-"), let offsetHours = number(index + 1, 2), expect(index + 3, ":"), let offsetMinutes = number(index + 4, 2),
                  offsetHours < 24, offsetMinutes < 60 {
            offset = (offsetHours * 3600 + offsetMinutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        let whole = seconds - referenceOffset
        guard !fraction.isEmpty else { return Date(timeIntervalSinceReferenceDate: Double(whole)) }
        // The exact decimal whole + 0.fraction, as text, so that Double's parser rounds it once.
        let decimal = whole >= 0 ? "\(whole).\(fraction)" : "-\(-whole - 1).\(complement(fraction))"
        return Double(decimal).map { Date(timeIntervalSinceReferenceDate: $0) }
    }

    /// The digits of `1 - 0.digits` (`"25"` → `"75"`, `"3"` → `"7"`), for a fraction that is not zero.
    /// It is `10^n - D` digit by digit: with the last digit not zero, no digit ever borrows.
    static func complement(_ digits: String) -> String {
        var significant = Array(digits.utf8)
        while significant.last == UInt8(ascii: "0") { significant.removeLast() }
        var result = significant.enumerated().map { index, byte in
            UInt8(ascii: "0") + (index == significant.count - 1 ? 10 : 9) - (byte - UInt8(ascii: "0"))
        }
        while result.last == UInt8(ascii: "0") { result.removeLast() }
        return String(decoding: result, as: UTF8.self)
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civil(fromDays count: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = count + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// A `Double`'s shortest round-trip decimal, split into sign, integer part and fraction digits (no trailing zeros).
struct PlainDecimal {
    var negative: Bool
    var integer: Int64
    var fraction: String

    /// Nil when the integer part does not fit in an `Int64`.
    init?(_ value: Double) {
        var text = Substring("\(value)")
        negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let parsed = Int(text[text.index(after: e)...]) else { return nil }
            exponent = parsed
            text = text[..<e]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        let point = parts[0].count + exponent
        let integerDigits: String, fractionDigits: String
        if point <= 0 {
            integerDigits = "0"
            fractionDigits = String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            integerDigits = digits + String(repeating: "0", count: point - digits.count)
            fractionDigits = ""
        } else {
            integerDigits = String(digits.prefix(point))
            fractionDigits = String(digits.dropFirst(point))
        }
        guard let integer = Int64(integerDigits) else { return nil }
        self.integer = integer
        var fraction = fractionDigits
        while fraction.hasSuffix("0") { fraction.removeLast() }
        self.fraction = fraction
    }
}
