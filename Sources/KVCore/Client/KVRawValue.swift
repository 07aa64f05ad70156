import Foundation

/// Values stored as they are, with no codec: `String` as UTF-8, `[UInt8]` and `Data` as bytes.
enum KVRawValue {
    static func encode<T>(_ value: T) -> [UInt8]? {
        switch value {
        case let string as String: Array(string.utf8)
        case let bytes as [UInt8]: bytes
        case let data as Data: Array(data)
        default: nil
        }
    }

    /// `nil` when `T` is not a raw type; throws when it is but the bytes do not fit (invalid UTF-8).
    static func decode<T>(_ type: T.Type, from bytes: [UInt8], key: String) throws(KVError) -> T? {
        if T.self == [UInt8].self { return bytes as? T }
        if T.self == Data.self { return Data(bytes) as? T }
        if T.self == String.self {
            guard let string = String(validating: bytes, as: UTF8.self) else {
                throw .decodingFailed(key: key, type: String.self, reason: "the value is not valid UTF-8")
            }
            return string as? T
        }
        return nil
    }
}
