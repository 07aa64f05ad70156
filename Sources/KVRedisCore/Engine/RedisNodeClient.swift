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
    /// The node's near cache, when the configuration asks for one (never on a replica's client).
    package let nearCache: RedisNearCache?
    private let closed = Atomic<Bool>(false)

    package init(options: RedisNodeOptions, logger: Logger) {
        self.options = options
        pool = RedisPool(configuration: options.connection, size: options.poolSize, logger: logger)
        if let configuration = options.connection.settings.nearCache, !options.connection.readOnly {
            let cache = RedisNearCache(connection: options.connection, configuration: configuration, logger: logger)
            cache.start()
            nearCache = cache
        } else {
            nearCache = nil
        }
    }

    deinit {
        nearCache?.stop()
        pool.close()
    }

    package var node: String { pool.node }

    package func checkOpen() throws(KVError) {
        if closed.load(ordering: .relaxed) { throw .shutdown(node: node) }
    }

    /// Fails every later call with `shutdown` and closes the connections. Idempotent.
    package func close() {
        if closed.exchange(true, ordering: .relaxed) { return }
        nearCache?.stop()
        pool.close()
    }

    package func nearCache(for key: String) -> RedisNearCache? { nearCache }

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

    /// ``RedisPool/execute(_:)`` on the node's pool: one pipeline within one command timeout, under the retry policy.
    package nonisolated(nonsending) func execute(_ commands: [RedisCommand]) async throws(KVError) -> [RedisReply] {
        try await pool.execute(commands)
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
        nearCache?.invalidate(unique.lazy.map(\.key))
        defer { nearCache?.invalidate(unique.lazy.map(\.key)) }
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
        if let nearCache { return try await batchGet(unique, through: nearCache) }
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
        nearCache?.invalidate(unique)
        defer { nearCache?.invalidate(unique) }
        let node = self.node
        let (counts, failures) = await chunked(unique, key: { $0 }) { (chunk) throws(KVError) in
            try RedisKeyCommands.count(try await self.execute([RedisKeyCommands.unlink(Array(chunk))], write: true)[0], key: nil, node: node)
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        return counts.reduce(0, +)
    }

    /// `batchGet` on a near-cached node: hits from memory, the misses fetched with `GET` and `PTTL` in pipelines
    /// (on the cache's own connection) and stored unless invalidated meanwhile.
    private func batchGet(_ unique: [String], through cache: RedisNearCache) async throws(KVError) -> [String: [UInt8]] {
        var found: [String: [UInt8]] = [:]
        var missing: [(key: String, ticket: RedisNearCache.Ticket?)] = []
        for key in unique {
            switch cache.lookup(key) {
            case .hit(let hit): if let value = hit.value { found[key] = value }
            case .miss(let ticket): missing.append((key, ticket))
            }
        }
        let node = self.node
        let fetching = cache.fetching
        let (pages, failures) = await chunked(missing, key: \.key) { (chunk) throws(KVError) in
            let replies: [RedisReply]
            do throws(KVError) { replies = try await fetching.execute(chunk.flatMap { RedisAtomicCommands.getWithTTL($0.key) }) } catch {
                for item in chunk { cache.abandon(item.ticket) }
                throw error
            }
            var page: [(String, [UInt8])] = []
            var failure: KVError?
            for (offset, item) in chunk.enumerated() {
                guard failure == nil else {
                    cache.abandon(item.ticket)
                    continue
                }
                do throws(KVError) {
                    let fetched = try RedisAtomicCommands.valueWithTTL(Array(replies[offset * 2..<offset * 2 + 2]), key: item.key, node: node)
                    cache.complete(item.ticket, value: fetched?.value, ttl: fetched?.ttl ?? .missingKey)
                    if let fetched { page.append((item.key, fetched.value)) }
                } catch {
                    cache.abandon(item.ticket)
                    failure = error
                }
            }
            if let failure { throw failure }
            return page
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        for page in pages { for (key, value) in page { found[key] = value } }
        return found
    }

    // MARK: Health

    package func health(name: String, role: String? = nil) async throws(KVError) -> KVNodeHealth {
        try checkOpen()
        return await RedisNodeHealth.check([RedisNodeHealth.Probe(self, name: name, role: role)])[0]
    }
}
