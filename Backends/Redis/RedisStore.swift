import KVCore
import KVRedisConnection
import Logging
import Synchronization

/// A store on one Redis server, through hiredis: pooled connections, each on its own thread, with automatic
/// pipelining. Batches are sent as pipelines in chunks.
///
/// ```swift
/// let store = try await KVStores.open("redis://127.0.0.1:6379/0?commandTimeout=500ms")
/// ```
public final class RedisStore: KVStore {
    public struct Options: Sendable {
        public var connection: RedisConnectionConfiguration
        /// Connections (and threads) to the server. Fewer connections make longer automatic pipelines:
        /// on 2 cores, 2 measured best for 64 concurrent tasks (see docs/benchmarks.md).
        public var poolSize: Int
        /// Commands per pipeline in batches.
        public var batchChunkSize: Int
        /// Chunks of one batch in flight at once.
        public var maxChunksInFlight: Int
        /// The `COUNT` hint of `SCAN`.
        public var scanCount: Int

        public init(connection: RedisConnectionConfiguration, poolSize: Int = 2, batchChunkSize: Int = 1000, maxChunksInFlight: Int = 8, scanCount: Int = 1000) {
            self.connection = connection
            self.poolSize = poolSize
            self.batchChunkSize = batchChunkSize
            self.maxChunksInFlight = maxChunksInFlight
            self.scanCount = scanCount
        }
    }

    public let options: Options
    public let pool: RedisPool
    private let closed = Atomic<Bool>(false)

    public init(options: Options, logger: Logger = Logger(label: "kv.redis")) {
        self.options = options
        pool = RedisPool(configuration: options.connection, size: options.poolSize, logger: logger)
    }

    deinit { pool.close() }

    public var node: String { pool.node }

    private func checkOpen() throws(KVError) {
        if closed.load(ordering: .relaxed) { throw .shutdown(node: node) }
    }

    /// Runs `body` on one connection's thread, so that its sequential calls need no thread wake-ups.
    ///
    /// ```swift
    /// try await store.withAffinity { for key in keys { _ = try await store.get(key) } }
    /// ```
    public func withAffinity<T, Failure: Error>(_ body: () async throws(Failure) -> T) async throws(Failure) -> T {
        try await pool.withAffinity(body)
    }

    // MARK: Single keys

    @discardableResult
    public func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try KVLimits.check(key: key, valueCount: value.count)
        let ttl = try setOptions.ttlMilliseconds(key: key)
        try checkOpen()
        let reply = try await send(RedisKeyCommands.set(key, value, ttlMilliseconds: ttl, options: setOptions), key: key)
        return try RedisKeyCommands.wasSet(reply, key: key, node: node)
    }

    public func get(_ key: String) async throws(KVError) -> [UInt8]? {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.value(try await send(RedisKeyCommands.get(key), key: key), key: key, node: node)
    }

    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.timeToLive(try await send(RedisKeyCommands.pttl(key), key: key), key: key, node: node)
    }

    public func delete(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.count(try await send(RedisKeyCommands.unlink([key]), key: key), key: key, node: node) > 0
    }

    public func contains(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.count(try await send(RedisKeyCommands.exists(key), key: key), key: key, node: node) > 0
    }

    /// Sends one command; a transport error is given the key.
    private func send(_ command: RedisCommand, key: String) async throws(KVError) -> RedisReply {
        do throws(KVError) { return try await pool.send(command) } catch {
            var error = error
            error.key = error.key ?? key
            throw error
        }
    }

    public func list(prefix: String) -> KVKeySequence {
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

    public func batchSet(_ entries: [KVEntry], options setOptions: KVSetOptions) async throws(KVError) {
        try KVLimits.check(entries: entries)
        let ttl = try setOptions.ttlMilliseconds()
        try checkOpen()
        let unique = KVBatch.lastWins(entries)
        let (pool, node) = (self.pool, self.node)
        let (rejected, failures) = await chunked(unique, key: \.key) { (chunk) throws(KVError) in
            let replies = try await pool.pipeline(chunk.map { RedisKeyCommands.set($0.key, $0.value, ttlMilliseconds: ttl, options: setOptions) })
            return zip(chunk, replies).compactMap { entry, reply -> KVKeyFailure? in
                do throws(KVError) { _ = try RedisKeyCommands.wasSet(reply, key: entry.key, node: node) } catch { return KVKeyFailure(key: entry.key, error: error) }
                return nil
            }
        }
        try KVBatch.throwIfFailed(rejected.flatMap { $0 } + failures, total: unique.count)
    }

    public func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        try KVLimits.check(keys: keys)
        try checkOpen()
        let unique = KVBatch.distinct(keys)
        let (pool, node) = (self.pool, self.node)
        let (pages, failures) = await chunked(unique, key: { $0 }) { (chunk) throws(KVError) in
            let reply = try await pool.send(RedisKeyCommands.mget(Array(chunk))).orThrow(node: node)
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

    public func batchDelete(_ keys: [String]) async throws(KVError) -> Int {
        try KVLimits.check(keys: keys)
        try checkOpen()
        let unique = KVBatch.distinct(keys)
        let (pool, node) = (self.pool, self.node)
        let (counts, failures) = await chunked(unique, key: { $0 }) { (chunk) throws(KVError) in
            try RedisKeyCommands.count(try await pool.send(RedisKeyCommands.unlink(Array(chunk))), key: nil, node: node)
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        return counts.reduce(0, +)
    }

    // MARK: Health and lifecycle

    public func health() async throws(KVError) -> KVHealthReport {
        try checkOpen()
        return KVHealthReport(backend: "redis", nodes: [await RedisNodeHealth.check(pool, name: node)])
    }

    public func locate(_ key: String) async throws(KVError) -> KVLocation {
        try KVLimits.check(key: key)
        try checkOpen()
        return KVLocation(key: key, node: node)
    }

    public func shutdown() async {
        if closed.exchange(true, ordering: .relaxed) { return }
        pool.close()
    }
}
