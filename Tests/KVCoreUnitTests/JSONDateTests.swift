import Foundation
import KVCore
import Testing

/// The default JSON codec reads back the very same `Date`, and writes RFC 3339 text other languages parse.
@Suite struct JSONDateTests {
    struct Stamped: Codable, Equatable { var at: Date }

    @Test func nowRoundTripsExactly() throws {
        let codec = KVJSONCodec()
        for _ in 0..<1000 {
            let value = Stamped(at: Date())
            #expect(try codec.decode(Stamped.self, from: try codec.encode(value)) == value)
        }
    }

    @Test func randomDatesAcrossTheCalendarRoundTripExactly() throws {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<20_000 {
            // From year 0001 to 9999, with every fraction a Double can hold, including dates before 2001 and 1970.
            let interval = Double.random(in: -63_113_904_000 ... 252_423_993_599, using: &generator)
            let date = Date(timeIntervalSinceReferenceDate: interval)
            let text = try KVJSONDateFormat.string(from: date)
            #expect(KVJSONDateFormat.date(from: text) == date, "\(text) for \(interval)")
            checked += 1
        }
        for interval in [0, -0.5, -0.3, -1e-9, 1e-9, -1, 1, 0.1, -978_307_200, -978_307_200.000_001, Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude] {
            let date = Date(timeIntervalSinceReferenceDate: interval)
            #expect(KVJSONDateFormat.date(from: try KVJSONDateFormat.string(from: date)) == date, "\(interval)")
        }
        #expect(checked == 20_000)
    }

    @Test func theTextIsPlainRFC3339() throws {
        #expect(try KVJSONDateFormat.string(from: Date(timeIntervalSince1970: 1_795_538_637)) == "2026-11-24T16:43:57Z")
        #expect(try KVJSONDateFormat.string(from: Date(timeIntervalSince1970: 1_795_538_637.5)) == "2026-11-24T16:43:57.5Z")
        #expect(try KVJSONDateFormat.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(try KVJSONDateFormat.string(from: Date(timeIntervalSinceReferenceDate: -0.25)) == "2000-12-31T23:59:59.75Z")
        #expect(try KVJSONDateFormat.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
        let encoded = String(decoding: try KVJSONCodec().encode(Stamped(at: Date(timeIntervalSince1970: 1_795_538_637.25))), as: UTF8.self)
        #expect(encoded == #"{"at":"2026-11-24T16:43:57.25Z"}"#)
        // Foundation's own RFC 3339 parser reads the same instant (to its millisecond precision).
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(formatter.date(from: "2026-11-24T16:43:57.250Z") == Date(timeIntervalSince1970: 1_795_538_637.25))
    }

    @Test func readsWhatOthersWrite() {
        #expect(KVJSONDateFormat.date(from: "2026-11-24T16:43:57Z") == Date(timeIntervalSince1970: 1_795_538_637))
        #expect(KVJSONDateFormat.date(from: "2026-11-24T16:43:57.123Z") == Date(timeIntervalSinceReferenceDate: 817_231_437.123), "the exact decimal, rounded once")
        #expect(KVJSONDateFormat.date(from: "2026-11-24T18:43:57+02:00") == Date(timeIntervalSince1970: 1_795_538_637))
        #expect(KVJSONDateFormat.date(from: "2026-11-24T16:43:57.500000-00:30") == Date(timeIntervalSince1970: 1_795_540_437.5))
        for bad in ["", "2026-11-24", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T16:43:57",
                    "2026-11-24T16:43:57.Z", "2026-11-24T16:43:57Zjunk", "0000-01-01T00:00:00Z", "２026-11-24T16:43:57Z"] {
            #expect(KVJSONDateFormat.date(from: bad) == nil, "\(bad)")
        }
    }

    @Test func datesOutsideTheFourDigitYearsAreEncodingErrors() {
        for date in [Date(timeIntervalSinceReferenceDate: 1e300), Date(timeIntervalSinceReferenceDate: .nan), Date(timeIntervalSinceReferenceDate: 3e11)] {
            #expect(throws: EncodingError.self) { _ = try KVJSONDateFormat.string(from: date) }
        }
        #expect(throws: (any Error).self) { _ = try KVJSONCodec().encode(Stamped(at: .distantPast)) }
    }
}
