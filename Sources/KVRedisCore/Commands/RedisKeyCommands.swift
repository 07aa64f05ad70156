package import KVCore

/// The Redis commands behind each `KVStore` call, and how to read their replies.
/// Shared by the redis, ring and cluster backends, so they speak the same dialect.
package enum RedisKeyCommands {
    /// `SET key value [PX ms | KEEPTTL] [NX | XX]`.
    package static func set(_ key: String, _ value: [UInt8], ttlMilliseconds: Int64?, options: KVSetOptions) -> RedisCommand {
        var command = RedisCommand("SET", key: key, value)
        appendSetOptions(&command, ttlMilliseconds: ttlMilliseconds, options: options)
        return command
    }

    /// `SET` of a key given as bytes (which may not be UTF-8).
    package static func set(rawKey key: [UInt8], _ value: [UInt8], ttlMilliseconds: Int64?, options: KVSetOptions) -> RedisCommand {
        var command = RedisCommand(raw: "SET", key)
        command.append(value)
        appendSetOptions(&command, ttlMilliseconds: ttlMilliseconds, options: options)
        return command
    }

    private static func appendSetOptions(_ command: inout RedisCommand, ttlMilliseconds: Int64?, options: KVSetOptions) {
        if let ttlMilliseconds {
            command.append("PX")
            command.append(String(ttlMilliseconds))
        } else if options.keepTTL {
            command.append("KEEPTTL")
        }
        switch options.condition {
        case .always: break
        case .onlyIfAbsent: command.append("NX")
        case .onlyIfPresent: command.append("XX")
        }
    }

    /// `OK` when written, nil when the condition was not met.
    package static func wasSet(_ reply: RedisReply, key: String, node: String) throws(KVError) -> Bool {
        switch try reply.orThrow(node: node, key: key) {
        case .status, .string: return true
        case .null: return false
        default: throw reply.unexpected(node: node, key: key, expected: "OK or nil")
        }
    }

    package static func get(_ key: String) -> RedisCommand { RedisCommand("GET", key: key) }

    package static func value(_ reply: RedisReply, key: String, node: String) throws(KVError) -> [UInt8]? {
        switch try reply.orThrow(node: node, key: key) {
        case .string(let bytes): return bytes
        case .null: return nil
        default: throw reply.unexpected(node: node, key: key, expected: "a string or nil")
        }
    }

    package static func pttl(_ key: String) -> RedisCommand { RedisCommand("PTTL", key: key) }

    package static func timeToLive(_ reply: RedisReply, key: String, node: String) throws(KVError) -> KVTimeToLive {
        guard let milliseconds = try reply.orThrow(node: node, key: key).integer else {
            throw reply.unexpected(node: node, key: key, expected: "an integer")
        }
        return KVTimeToLive(pttl: milliseconds)
    }

    /// `UNLINK` frees large values off the server's main thread.
    package static func unlink(_ keys: [String]) -> RedisCommand { RedisCommand("UNLINK", keys: keys) }

    package static func exists(_ key: String) -> RedisCommand { RedisCommand("EXISTS", key: key) }

    package static func count(_ reply: RedisReply, key: String?, node: String) throws(KVError) -> Int {
        guard let count = try reply.orThrow(node: node, key: key).integer else {
            throw reply.unexpected(node: node, key: key, expected: "an integer")
        }
        return Int(count)
    }

    package static func mget(_ keys: [String]) -> RedisCommand { RedisCommand("MGET", keys: keys) }
}

/// Redis glob patterns for literal prefixes.
package enum RedisGlob {
    /// `prefix` with `* ? [ ] \` escaped, followed by `*`: matches exactly the keys that start with `prefix`.
    package static func prefixPattern(_ prefix: String) -> [UInt8] {
        var pattern: [UInt8] = []
        pattern.reserveCapacity(prefix.utf8.count + 8)
        for byte in prefix.utf8 {
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"):
                pattern.append(UInt8(ascii: "\\"))
            default: break
            }
            pattern.append(byte)
        }
        pattern.append(UInt8(ascii: "*"))
        return pattern
    }
}
