package import KVCore
import KVRedisConfiguration
package import Logging
import Synchronization

/// Connections to one node. A command goes to the first idle connection, else to the one with the fewest
/// callers waiting: a lone sequential caller keeps one connection (and its thread) warm, while concurrent
/// callers spread over all. A task inside ``withAffinity(_:)`` uses the connection whose thread it runs on.
package final class RedisPool: Sendable {
    package let configuration: RedisConnectionConfiguration
    package let connections: [RedisConnection]

    /// The connection whose executor the current task prefers, set by ``withAffinity(_:)``.
    @TaskLocal static var affine: RedisConnection?

    /// `size` connections to the node of `configuration`, each with `setup` when given.
    package init(configuration: RedisConnectionConfiguration, size: Int, logger: Logger, setup: (any RedisConnectionSetup)? = nil) {
        self.configuration = configuration
        node = configuration.node
        connections = (0..<max(1, size)).map { _ in RedisConnection(configuration: configuration, logger: logger, setup: setup) }
    }

    /// `host:port`, as named in errors (made once: requests name it on every call).
    package let node: String

    /// The connection for the next command.
    package func connection() -> RedisConnection {
        if let affine = Self.affine, connections.contains(where: { $0 === affine }) {
            return affine
        }
        var best = connections[0]
        var fewest = best.waitingCallers
        if fewest == 0 { return best }
        for connection in connections.dropFirst() {
            let waiting = connection.waitingCallers
            if waiting == 0 { return connection }
            if waiting < fewest { (best, fewest) = (connection, waiting) }
        }
        return best
    }

    /// Sends `commands` as one pipeline within one command timeout, queueing included, and applies
    /// ``RedisRetryPolicy``: a request that provably did not run, or whose commands cannot change their answer
    /// when run twice, is sent again on the next connection; anything else is surfaced.
    package nonisolated(nonsending) func execute(_ commands: [RedisCommand]) async throws(KVError) -> [RedisReply] {
        let deadline = ContinuousClock.now + configuration.settings.commandTimeout
        var attempt = 1
        while true {
            do throws(RedisFailure) {
                return try await connection().execute(commands, deadline: deadline)
            } catch {
                switch RedisRetryPolicy.decide(error, safety: RedisCommandSafety(commands)) {
                case .retry where attempt < RedisRetryPolicy.maxAttempts && ContinuousClock.now < deadline:
                    attempt += 1
                case .retry:
                    throw error.error
                case .surface(let surfaced):
                    throw surfaced
                }
            }
        }
    }

    package nonisolated(nonsending) func send(_ command: RedisCommand) async throws(KVError) -> RedisReply {
        try await connection().send(command)
    }

    package nonisolated(nonsending) func pipeline(_ commands: [RedisCommand]) async throws(KVError) -> [RedisReply] {
        try await connection().pipeline(commands)
    }

    /// Runs `body` on one connection's thread (as task-executor preference), so that its sequential
    /// commands need no thread wake-ups: they run inline on that thread (``RedisConnection``). Other tasks keep
    /// using the pool as usual.
    ///
    /// ```swift
    /// try await pool.withAffinity { for key in keys { _ = try await store.get(key) } }
    /// ```
    package func withAffinity<T, Failure: Error>(_ body: () async throws(Failure) -> T) async throws(Failure) -> T {
        let connection = connection()
        let result: Result<T, Failure> = await withTaskExecutorPreference(connection.executor) {
            await Self.$affine.withValue(connection) {
                do throws(Failure) { return .success(try await body()) } catch { return .failure(error) }
            }
        }
        return try result.get()
    }

    package func close() {
        for connection in connections { connection.close() }
    }
}
