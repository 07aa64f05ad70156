import Foundation

/// Turns `Codable` values into stored bytes and back. Implement it to plug in another format.
public protocol KVCodec: Sendable {
    /// A short name for messages (`json`, `plist`).
    var name: String { get }
    func encode<T: Encodable>(_ value: T) throws -> [UInt8]
    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T
}

/// JSON, the default codec. Keys are sorted so equal values store equal bytes. Dates are RFC 3339 text in UTC
/// with as many fractional digits as it takes to read the same `Date` back (see ``KVJSONDateFormat``).
public struct KVJSONCodec: KVCodec {
    public var name: String { "json" }
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try KVJSONDateFormat.string(from: date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = KVJSONDateFormat.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not an RFC 3339 date such as 2026-11-24T16:43:57.25Z")
            }
            return date
        }
        return try decoder.decode(type, from: Data(bytes))
    }
}

/// Binary property lists: compact, typed, and readable by Apple tooling.
public struct KVPropertyListCodec: KVCodec {
    public var name: String { "plist" }
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = PropertyListEncoder()
        encoder.outputFormat = .binary
        return Array(try encoder.encode(value))
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try PropertyListDecoder().decode(type, from: Data(bytes))
    }
}
