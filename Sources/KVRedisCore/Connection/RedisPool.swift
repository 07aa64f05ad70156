import KVCore
import Logging
import Synchronization

/// Connections to one node. Commands are spread round-robin; a task inside ``withAffinity(_:)`` uses the
/// connection whose thread it runs on.
package final class RedisPool: Sendable {
    package let configuration: RedisConnectionConfiguration
    package let connections: [RedisConnection]
    private let next = Atomic<Int>(0)

    /// The connection whose executor the current task prefers, set by ``withAffinity(_:)``.
    @TaskLocal static var affine: RedisConnection?

    package init(configuration: RedisConnectionConfiguration, size: Int, logger: Logger) {
        self.configuration = configuration
        connections = (0..<max(1, size)).map { _ in RedisConnection(configuration: configuration, logger: logger) }
    }

    package var node: String { configuration.endpoint.description }

    /// The connection for the next command.
    package func connection() -> RedisConnection {
        if let affine = Self.affine, connections.contains(where: { $0 === affine }) {
            return affine
        }
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return connections[index % connections.count]
    }

    package func send(_ command: RedisCommand) async throws(KVError) -> RedisReply {
        try await connection().send(command)
    }

    package func pipeline(_ commands: [RedisCommand]) async throws(KVError) -> [RedisReply] {
        try await connection().pipeline(commands)
    }

    /// Runs `body` on one connection's thread (as task-executor preference), so that its sequential
    /// commands need no thread wake-ups. Other tasks keep using the pool as usual.
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
