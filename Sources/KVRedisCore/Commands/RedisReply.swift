package import KVCore

/// A Redis reply, copied out of hiredis.
package enum RedisReply: Sendable, Hashable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case null
    case error(String)
    case array([RedisReply])

    /// The bulk or status string as bytes.
    package var bytes: [UInt8]? {
        switch self {
        case .string(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    package var text: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    package var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    package var array: [RedisReply]? {
        if case .array(let values) = self { return values }
        return nil
    }

    package var isNull: Bool { self == .null }

    /// The error message of an error reply.
    package var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// Throws for an error reply (naming node and key), else returns the reply.
    package func orThrow(node: String, key: String? = nil) throws(KVError) -> RedisReply {
        if case .error(let message) = self { throw Self.error(message, key: key, node: node) }
        return self
    }

    /// The error for an error reply: `authenticationFailed` for `NOAUTH`/`WRONGPASS`, else `serverError`.
    package static func error(_ message: String, key: String?, node: String) -> KVError {
        let code: KVError.Code = message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") ? .authenticationFailed : .serverError
        return KVError(code, message, key: key, node: node)
    }

    /// Throws for an error reply and for a reply of an unexpected shape.
    package func unexpected(node: String, key: String? = nil, expected: String) -> KVError {
        if case .error(let message) = self { return Self.error(message, key: key, node: node) }
        return KVError(.serverError, "unexpected reply \(self), expected \(expected)", key: key, node: node)
    }
}
