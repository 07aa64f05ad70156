import KVCore
import Logging
import Synchronization

/// The key-value operations on one Redis node: what a redis:// store is, and what each ring shard is.
///
/// Inputs are validated before anything is sent; batches go out as pipelines in chunks, a bounded number
/// at a time; every error names the node (and the key, where there is one).
package final class RedisNodeClient: Sendable {
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

    // MARK: Single keys

    package nonisolated(nonsending) func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try KVLimits.check(key: key, valueCount: value.count)
        let ttl = try setOptions.ttlMilliseconds(key: key)
        try checkOpen()
        let reply = try await send(RedisKeyCommands.set(key, value, ttlMilliseconds: ttl, options: setOptions), key: key, write: true)
        return try RedisKeyCommands.wasSet(reply, key: key, node: node)
    }

    package nonisolated(nonsending) func get(_ key: String) async throws(KVError) -> [UInt8]? {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.value(try await send(RedisKeyCommands.get(key), key: key), key: key, node: node)
    }

    package nonisolated(nonsending) func ttl(_ key: String) async throws(KVError) -> KVTimeToLive {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.timeToLive(try await send(RedisKeyCommands.pttl(key), key: key), key: key, node: node)
    }

    package nonisolated(nonsending) func delete(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.count(try await send(RedisKeyCommands.unlink([key]), key: key, write: true), key: key, node: node) > 0
    }

    package nonisolated(nonsending) func contains(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.count(try await send(RedisKeyCommands.exists(key), key: key), key: key, node: node) > 0
    }

    // MARK: Atomic operations

    package nonisolated(nonsending) func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        let ttl = try KVAtomic.check(key: key, expected: expected, new: new, options: setOptions)
        try checkOpen()
        return try await RedisAtomicCommands.compareAndSet(
            key, expected: expected, new: new, ttlMilliseconds: ttl, keepTTL: setOptions.keepTTL, node: node
        ) { (command) throws(KVError) in try await self.send(command, key: key, write: true).orThrow(node: self.node, key: key) }
    }

    package nonisolated(nonsending) func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        let ttl = try KVAtomic.check(key: key, ttlIfCreated: ttlIfCreated)
        try checkOpen()
        guard let ttl else {
            return try RedisAtomicCommands.incremented(try await send(RedisAtomicCommands.incrementBy(key, delta), key: key, write: true), key: key, node: node)
        }
        return try await RedisAtomicCommands.increment(key, by: delta, ttlMilliseconds: ttl, node: node) { (command) throws(KVError) in
            try await self.send(command, key: key, write: true).orThrow(node: self.node, key: key)
        }
    }

    package nonisolated(nonsending) func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL? {
        try KVLimits.check(key: key)
        try checkOpen()
        do {
            return try RedisAtomicCommands.valueWithTTL(try await execute(RedisAtomicCommands.getWithTTL(key)), key: key, node: node)
        } catch {
            throw Self.keyed(error, key)
        }
    }

    static func keyed(_ error: KVError, _ key: String) -> KVError {
        var error = error
        error.key = error.key ?? key
        return error
    }

    /// Sends one command under the retry policy (a write confirmed by replicas when the options say so); a
    /// transport error is given the key.
    private nonisolated(nonsending) func send(_ command: RedisCommand, key: String, write: Bool = false) async throws(KVError) -> RedisReply {
        do { return try await execute([command], write: write)[0] } catch { throw Self.keyed(error, key) }
    }

    /// ``execute(_:)`` for writes: with ``RedisNodeOptions/confirmWrites``, `WAIT` follows the commands in the
    /// same pipeline, and the call fails unless enough replicas have them (when none of them was refused).
    package nonisolated(nonsending) func execute(_ commands: [RedisCommand], write: Bool) async throws(KVError) -> [RedisReply] {
        guard write, let confirm = options.confirmWrites else { return try await execute(commands) }
        var replies = try await execute(commands + [confirm.command])
        let reached = replies.removeLast()
        if !replies.contains(where: { $0.errorMessage != nil }) {
            try confirm.check(reached, key: nil, node: node)
        }
        return replies
    }

    /// Sends `commands` as one pipeline within one command timeout, queueing included, and applies
    /// ``RedisRetryPolicy``: a request that provably did not run, or whose commands cannot change their answer
    /// when run twice, is sent again on the next connection; anything else is surfaced.
    package nonisolated(nonsending) func execute(_ commands: [RedisCommand]) async throws(KVError) -> [RedisReply] {
        let deadline = ContinuousClock.now + options.connection.commandTimeout
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
