import KVCore
import KVRedisConnection

/// The Redis commands behind each `KVStore` call, and how to read their replies.
/// Shared by the redis, ring and cluster backends, so they speak the same dialect.
public enum RedisKeyCommands {
    /// `SET key value [PX ms | KEEPTTL] [NX | XX]`.
    public static func set(_ key: String, _ value: [UInt8], ttlMilliseconds: Int64?, options: KVSetOptions) -> RedisCommand {
        var command = RedisCommand("SET", key: key, value)
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
        return command
    }

    /// `OK` when written, nil when the condition was not met.
    public static func wasSet(_ reply: RedisReply, key: String, node: String) throws(KVError) -> Bool {
        switch try reply.orThrow(node: node, key: key) {
        case .status, .string: return true
        case .null: return false
        default: throw reply.unexpected(node: node, key: key, expected: "OK or nil")
        }
    }

    public static func get(_ key: String) -> RedisCommand { RedisCommand("GET", key: key) }

    public static func value(_ reply: RedisReply, key: String, node: String) throws(KVError) -> [UInt8]? {
        switch try reply.orThrow(node: node, key: key) {
        case .string(let bytes): return bytes
        case .null: return nil
        default: throw reply.unexpected(node: node, key: key, expected: "a string or nil")
        }
    }

    public static func pttl(_ key: String) -> RedisCommand { RedisCommand("PTTL", key: key) }

    public static func timeToLive(_ reply: RedisReply, key: String, node: String) throws(KVError) -> KVTimeToLive {
        guard let milliseconds = try reply.orThrow(node: node, key: key).integer else {
            throw reply.unexpected(node: node, key: key, expected: "an integer")
        }
        return KVTimeToLive(pttl: milliseconds)
    }

    /// `UNLINK` frees large values off the server's main thread.
    public static func unlink(_ keys: [String]) -> RedisCommand { RedisCommand("UNLINK", keys: keys) }

    public static func exists(_ key: String) -> RedisCommand { RedisCommand("EXISTS", key: key) }

    public static func count(_ reply: RedisReply, key: String?, node: String) throws(KVError) -> Int {
        guard let count = try reply.orThrow(node: node, key: key).integer else {
            throw reply.unexpected(node: node, key: key, expected: "an integer")
        }
        return Int(count)
    }

    public static func mget(_ keys: [String]) -> RedisCommand { RedisCommand("MGET", keys: keys) }
}

/// Redis glob patterns for literal prefixes.
public enum RedisGlob {
    /// `prefix` with `* ? [ ] \` escaped, followed by `*`: matches exactly the keys that start with `prefix`.
    public static func prefixPattern(_ prefix: String) -> [UInt8] {
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
