import Foundation

/// Turns `Codable` values into stored bytes and back. Implement it to plug in another format.
public protocol KVCodec: Sendable {
    /// A short name for messages (`json`, `plist`).
    var name: String { get }
    func encode<T: Encodable>(_ value: T) throws -> [UInt8]
    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T
}

/// JSON, the default codec. Dates are ISO 8601; keys are sorted so equal values store equal bytes.
public struct KVJSONCodec: KVCodec {
    public var name: String { "json" }
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
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
