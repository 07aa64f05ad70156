package import KVCore

/// Compare-and-set, increment and get-with-TTL in Redis commands, shared by the redis, ring and cluster stores.
/// Each takes a `send` that routes one command for the key and throws error replies as ``KVError``s.
package enum RedisAtomicCommands {
    /// Compares the value with ARGV[2] (or absence, ARGV[1] = 0), then sets ARGV[4] with the TTL mode in ARGV[5]
    /// (`PX` ARGV[6], `KEEPTTL`, or none) or deletes (ARGV[3] = 0). Lua strings are bytes: the comparison is exact.
    package static let compareAndSetScript = RedisScript(body: """
        local current = redis.call('GET', KEYS[1])
        if ARGV[1] == '0' then
          if current then return 0 end
        elseif current ~= ARGV[2] then
          return 0
        end
        if ARGV[3] == '0' then
          redis.call('DEL', KEYS[1])
        elseif ARGV[5] == 'PX' then
          redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[6])
        elseif ARGV[5] == 'KEEPTTL' then
          redis.call('SET', KEYS[1], ARGV[4], 'KEEPTTL')
        else
          redis.call('SET', KEYS[1], ARGV[4])
        end
        return 1
        """, sha1: "0d2c2ba4d34df314419e52821025d5195b1acfd9")

    /// `INCRBY` that gives a key it creates a TTL: `SET key 0 NX PX ttl` first. The result is read back with `GET`
    /// so it stays exact (Lua numbers are doubles, exact only to 2^53).
    package static let incrementWithTTLScript = RedisScript(body: """
        redis.call('SET', KEYS[1], '0', 'NX', 'PX', ARGV[2])
        redis.call('INCRBY', KEYS[1], ARGV[1])
        return redis.call('GET', KEYS[1])
        """, sha1: "a720fe55fb08e3ff99a9411a09da65c4a6341e56")

    package static func compareAndSet(
        _ key: String, expected: [UInt8]?, new: [UInt8]?, ttlMilliseconds: Int64?, keepTTL: Bool,
        send: (RedisCommand) async throws(KVError) -> RedisKeyReplies
    ) async throws(KVError) -> Bool {
        let ttlMode = ttlMilliseconds != nil ? "PX" : (keepTTL ? "KEEPTTL" : "")
        let arguments: [[UInt8]] = [
            Array((expected == nil ? "0" : "1").utf8), expected ?? [], Array((new == nil ? "0" : "1").utf8), new ?? [],
            Array(ttlMode.utf8), Array(String(ttlMilliseconds ?? 0).utf8),
        ]
        let answer = try await compareAndSetScript.run(keys: [Array(key.utf8)], key: key, arguments: arguments, send: send)
        switch answer.reply.integer {
        case 1: return true
        case 0: return false
        default: throw answer.reply.unexpected(node: answer.node, key: key, expected: "1 or 0")
        }
    }

    /// `INCRBY key delta`, for an increment without a TTL.
    package static func incrementBy(_ key: String, _ delta: Int64) -> RedisCommand {
        var command = RedisCommand("INCRBY", key: key)
        command.append(String(delta))
        return command
    }

    /// The new value from an `INCRBY` reply; its error replies as typed errors.
    package static func incremented(_ reply: RedisReply, key: String, node: String) throws(KVError) -> Int64 {
        if case .integer(let value) = reply { return value }
        if let message = reply.errorMessage { throw incrementError(RedisReply.error(message, key: key, node: node)) }
        throw reply.unexpected(node: node, key: key, expected: "an integer")
    }

    /// An increment that gives a key it creates a TTL: one script.
    package static func increment(
        _ key: String, by delta: Int64, ttlMilliseconds: Int64, send: (RedisCommand) async throws(KVError) -> RedisKeyReplies
    ) async throws(KVError) -> Int64 {
        do throws(KVError) {
            let answer = try await incrementWithTTLScript.run(
                keys: [Array(key.utf8)], key: key, arguments: [Array(String(delta).utf8), Array(String(ttlMilliseconds).utf8)], send: send)
            guard let bytes = answer.reply.bytes, let value = KVAtomic.parseInteger(bytes) else {
                throw answer.reply.unexpected(node: answer.node, key: key, expected: "the new value")
            }
            return value
        } catch {
            throw error.code == .serverError ? incrementError(error) : error
        }
    }

    /// `INCRBY`'s error replies as typed errors.
    package static func incrementError(_ error: KVError) -> KVError {
        if error.message.contains("not an integer") {
            return error.with(code: .notAnInteger, message: "the value is not a decimal integer of 64 bits (\(error.message))")
        }
        if error.message.contains("overflow") {
            return error.with(code: .overflow, message: "the sum is outside the 64-bit range (\(error.message))")
        }
        return error
    }

    /// `GET` and `PTTL`, sent together on one connection.
    package static func getWithTTL(_ key: String) -> [RedisCommand] { [RedisKeyCommands.get(key), RedisKeyCommands.pttl(key)] }

    package static func valueWithTTL(_ replies: [RedisReply], key: String, node: String) throws(KVError) -> KVValueWithTTL? {
        guard replies.count == 2, let value = try RedisKeyCommands.value(replies[0], key: key, node: node) else { return nil }
        let ttl = try RedisKeyCommands.timeToLive(replies[1], key: key, node: node)
        return ttl == .missingKey ? nil : KVValueWithTTL(value: value, ttl: ttl)
    }
}
