import KVCore

/// A Lua script run with `EVALSHA`, falling back to `EVAL` when the server answers `NOSCRIPT`.
///
/// `NOSCRIPT` means the script did not run, so sending `EVAL` after it is always safe; the server then caches
/// the script, and later calls use `EVALSHA` again. ``sha1`` is the SHA-1 of ``body``, checked against a real
/// server's `SCRIPT LOAD` by the tests.
package struct RedisScript: Sendable {
    package let body: String
    package let sha1: String

    package func evalSHA(keys: [[UInt8]], arguments: [[UInt8]]) -> RedisCommand {
        command("EVALSHA", sha1, keys: keys, arguments: arguments)
    }

    package func eval(keys: [[UInt8]], arguments: [[UInt8]]) -> RedisCommand {
        command("EVAL", body, keys: keys, arguments: arguments)
    }

    private func command(_ name: String, _ script: String, keys: [[UInt8]], arguments: [[UInt8]]) -> RedisCommand {
        var command = RedisCommand(name, script, String(keys.count))
        for key in keys { command.append(key) }
        for argument in arguments { command.append(argument) }
        return command
    }

    /// Runs the script through `send`, which throws error replies as ``KVError``s carrying the server's message.
    package func run(
        keys: [[UInt8]], arguments: [[UInt8]], send: (RedisCommand) async throws(KVError) -> RedisReply
    ) async throws(KVError) -> RedisReply {
        do throws(KVError) {
            return try await send(evalSHA(keys: keys, arguments: arguments))
        } catch {
            guard error.code == .serverError, error.message.hasPrefix("NOSCRIPT") else { throw error }
            return try await send(eval(keys: keys, arguments: arguments))
        }
    }
}
