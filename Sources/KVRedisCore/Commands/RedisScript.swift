package import KVCore

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

    /// Runs the script through `send` (the commands of `key`): `EVALSHA`, then `EVAL` if the answering node
    /// had no copy. Returns the script's reply and the node that gave it; its error replies are thrown, naming
    /// `key` and the node.
    package func run(
        keys: [[UInt8]], key: String, arguments: [[UInt8]], send: (RedisCommand) async throws(KVError) -> RedisKeyReplies
    ) async throws(KVError) -> (reply: RedisReply, node: String) {
        var answer = try await send(evalSHA(keys: keys, arguments: arguments))
        if let message = answer.replies[0].errorMessage, message.hasPrefix("NOSCRIPT") {
            answer = try await send(eval(keys: keys, arguments: arguments))
        }
        return (try answer.replies[0].orThrow(node: answer.node, key: key), answer.node)
    }
}
