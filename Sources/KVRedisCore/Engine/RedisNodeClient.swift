package import KVCore
import KVRedisConfiguration
package import Logging
import Synchronization

/// The key-value operations on one Redis node: what a redis:// store is, and what each ring shard is.
///
/// Inputs are validated before anything is sent; batches go out as pipelines in chunks, a bounded number
/// at a time; every error names the node (and the key, where there is one).
package final class RedisNodeClient: RedisKeyRouter {
    package let options: RedisNodeOptions
    package let pool: RedisPool
    private let closed = Atomic<Bool>(false)

    package init(options: RedisNodeOptions, logger: Logger) {
        self.options = options
        pool = RedisPool(configuration: options.connection, size: options.poolSize, logger: logger)
    }

    deinit { pool.close() }

    package var node: String { pool.node }

    package func checkOpen() throws(KVError) {
        if closed.load(ordering: .relaxed) { throw .shutdown(node: node) }
    }

    /// Fails every later call with `shutdown` and closes the connections. Idempotent.
    package func close() {
        if closed.exchange(true, ordering: .relaxed) { return }
        pool.close()
    }

    // MARK: Routing

    /// Sends the commands of `key` under the retry policy (a write confirmed by replicas when the options say
    /// so); a transport error is given the key. The single-key operations come from ``RedisKeyRouter``.
    package nonisolated(nonsending) func send(_ commands: [RedisCommand], key: String, write: Bool) async throws(KVError) -> RedisKeyReplies {
        do { return RedisKeyReplies(replies: try await execute(commands, write: write), node: node) } catch { throw error.keyed(key) }
    }

    /// One attempt of `commands` as one pipeline within `deadline`, with no retry, for a router that decides
    /// retries itself (the cluster's). A `write` is followed by `WAIT` when writes are confirmed; its reply is
    /// returned apart, for ``confirm(_:replies:key:)``.
    package nonisolated(nonsending) func attempt(
        _ commands: [RedisCommand], write: Bool, deadline: ContinuousClock.Instant
    ) async throws(RedisFailure) -> (replies: [RedisReply], confirmation: RedisReply?) {
        guard write, let confirm = options.confirmWrites else {
            return (try await pool.connection().execute(commands, deadline: deadline), nil)
        }
        var replies = try await pool.connection().execute(commands + [confirm.command], deadline: deadline)
        let confirmation = replies.removeLast()
        return (replies, confirmation)
    }

    /// Throws unless enough replicas acknowledged the writes whose replies are `replies`. A pipeline in which
    /// every write was refused has nothing to confirm; one in which some ran (a batch chunk with a redirected or
    /// refused key) is confirmed, so no acknowledged write escapes `WAIT`.
    package func confirm(_ confirmation: RedisReply?, replies: [RedisReply], key: String?) throws(KVError) {
        guard let confirmation, let confirm = options.confirmWrites, replies.contains(where: { $0.errorMessage == nil }) else { return }
        try confirm.check(confirmation, key: key, node: node)
    }

    /// ``execute(_:)`` for writes: with ``RedisNodeOptions/confirmWrites``, `WAIT` follows the commands in the
    /// same pipeline, and the call fails unless enough replicas have them (when none of them was refused).
    package nonisolated(nonsending) func execute(_ commands: [RedisCommand], write: Bool) async throws(KVError) -> [RedisReply] {
        guard write, let confirm = options.confirmWrites else { return try await execute(commands) }
        var replies = try await execute(commands + [confirm.command])
        let reached = replies.removeLast()
        try self.confirm(reached, replies: replies, key: nil)
        return replies
    }

    /// Sends `commands` as one pipeline within one command timeout, queueing included, and applies
    /// ``RedisRetryPolicy``: a request that provably did not run, or whose commands cannot change their answer
    /// when run twice, is sent again on the next connection; anything else is surfaced.
    package nonisolated(nonsending) func execute(_ commands: [RedisCommand]) async throws(KVError) -> [RedisReply] {
        let deadline = ContinuousClock.now + options.connection.settings.commandTimeout
        var attempt = 1
        while true {
            do throws(RedisFailure) {
                return try await pool.connection().execute(commands, deadline: deadline)
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

    package func list(prefix: String) -> KVKeySequence {
        let pool = self.pool
        let count = options.scanCount
        return KVKeySequence { [self] in
            RedisScanSource(pools: [pool], prefix: prefix, count: count) { () throws(KVError) in try self.checkOpen() }
        }
    }

    // MARK: Batches

    /// Runs `body` on chunks of `items`, a bounded number at a time. Returns the chunks' results, and a
    /// failure for every item of a chunk that failed as a whole.
    private func chunked<Item: Sendable, T: Sendable>(
        _ items: [Item], key: @escaping @Sendable (Item) -> String,
        _ body: @escaping @Sendable (ArraySlice<Item>) async throws(KVError) -> T
    ) async -> (results: [T], failures: [KVKeyFailure]) {
        let outcomes = await RedisChunks.run(count: items.count, chunkSize: options.batchChunkSize, maxInFlight: options.maxChunksInFlight) {
            range -> (ArraySlice<Item>, Result<T, KVError>) in
            let chunk = items[range]
            do throws(KVError) { return (chunk, .success(try await body(chunk))) } catch { return (chunk, .failure(error)) }
        }
        var results: [T] = []
        var failures: [KVKeyFailure] = []
        for (chunk, outcome) in outcomes {
            switch outcome {
            case .success(let result): results.append(result)
            case .failure(let error): failures += chunk.map { KVKeyFailure(key: key($0), error: error) }
            }
        }
        return (results, failures)
    }

    package func batchSet(_ entries: [KVEntry], options setOptions: KVSetOptions) async throws(KVError) {
        try KVLimits.check(entries: entries)
        let ttl = try setOptions.ttlMilliseconds()
        try checkOpen()
        let unique = KVBatch.lastWins(entries)
        let node = self.node
        let (rejected, failures) = await chunked(unique, key: \.key) { (chunk) throws(KVError) in
            let replies = try await self.execute(chunk.map { RedisKeyCommands.set($0.key, $0.value, ttlMilliseconds: ttl, options: setOptions) }, write: true)
            return zip(chunk, replies).compactMap { entry, reply -> KVKeyFailure? in
                do throws(KVError) { _ = try RedisKeyCommands.wasSet(reply, key: entry.key, node: node) } catch { return KVKeyFailure(key: entry.key, error: error) }
                return nil
            }
        }
        try KVBatch.throwIfFailed(rejected.flatMap { $0 } + failures, total: unique.count)
    }

    package func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        try KVLimits.check(keys: keys)
        try checkOpen()
        let unique = KVBatch.distinct(keys)
        let node = self.node
        let (pages, failures) = await chunked(unique, key: { $0 }) { (chunk) throws(KVError) in
            let reply = try await self.execute([RedisKeyCommands.mget(Array(chunk))])[0].orThrow(node: node)
            guard let values = reply.array, values.count == chunk.count else {
                throw reply.unexpected(node: node, expected: "\(chunk.count) MGET values")
            }
            return zip(chunk, values).compactMap { key, value in value.bytes.map { (key, $0) } }
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        var found: [String: [UInt8]] = [:]
        found.reserveCapacity(unique.count)
        for page in pages { for (key, value) in page { found[key] = value } }
        return found
    }

    package func batchDelete(_ keys: [String]) async throws(KVError) -> Int {
        try KVLimits.check(keys: keys)
        try checkOpen()
        let unique = KVBatch.distinct(keys)
        let node = self.node
        let (counts, failures) = await chunked(unique, key: { $0 }) { (chunk) throws(KVError) in
            try RedisKeyCommands.count(try await self.execute([RedisKeyCommands.unlink(Array(chunk))], write: true)[0], key: nil, node: node)
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        return counts.reduce(0, +)
    }

    // MARK: Health

    package func health(name: String, role: String? = nil) async throws(KVError) -> KVNodeHealth {
        try checkOpen()
        return await RedisNodeHealth.check(pool, name: name, role: role)
    }
}
