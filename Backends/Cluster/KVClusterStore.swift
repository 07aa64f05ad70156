import KVCore
import KVRedisCore
import Logging
import ServiceLifecycle
import Synchronization

/// A store on a Redis Cluster: slot routing, `MOVED`/`ASK` redirects, topology refresh, failover retries,
/// and optional replica reads.
///
/// The store refreshes its slot map whenever a node redirects, fails or times out. Run it as a
/// swift-service-lifecycle `Service` to add the periodic refresh (``run()``); used without `run()` it works
/// the same, with no periodic refresh.
///
/// ```swift
/// let cluster = try await KVStores.open("cluster://127.0.0.1:7000,127.0.0.1:7001")
/// ```
public final class KVClusterStore: KVStore, Service {
    public enum ReadFrom: String, Sendable {
        /// Every read goes to the slot's master.
        case master
        /// Reads go to a replica of the slot when there is one (`READONLY`), else the master.
        case replicaPreferred
        /// Reads go to the node with the lowest measured round trip among the master and its replicas.
        case nearest
    }

    public struct Options: Sendable {
        public var seeds: [KVEndpoint]
        /// Connection settings for every node; the endpoint is replaced per node.
        public var connection: RedisConnectionConfiguration
        public var poolSize: Int
        /// Redirects (`MOVED`, `ASK`) followed for one key before giving up.
        public var maxRedirects: Int
        /// Time spent retrying `TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, `MASTERDOWN` and refused connections.
        public var retryBudget: Duration
        /// Background refresh of the slot map.
        public var refreshInterval: Duration
        /// Refreshes are single-flight and at most one per this interval.
        public var minRefreshInterval: Duration
        public var readFrom: ReadFrom
        /// Confirm each write with `WAIT replicas timeout`; a write fewer replicas acknowledged fails.
        public var confirmWrites: (replicas: Int, timeout: Duration)?
        public var batchChunkSize: Int
        public var scanCount: Int

        public init(
            seeds: [KVEndpoint], connection: RedisConnectionConfiguration? = nil, poolSize: Int = 1, maxRedirects: Int = 5,
            retryBudget: Duration = .seconds(5), refreshInterval: Duration = .seconds(30), minRefreshInterval: Duration = .milliseconds(100),
            readFrom: ReadFrom = .master, confirmWrites: (replicas: Int, timeout: Duration)? = nil, batchChunkSize: Int = 1000, scanCount: Int = 1000
        ) {
            self.seeds = seeds
            self.connection = connection ?? RedisConnectionConfiguration(endpoint: seeds.first ?? KVEndpoint(host: "127.0.0.1", port: 7000))
            self.poolSize = poolSize
            self.maxRedirects = maxRedirects
            self.retryBudget = retryBudget
            self.refreshInterval = refreshInterval
            self.minRefreshInterval = minRefreshInterval
            self.readFrom = readFrom
            self.confirmWrites = confirmWrites
            self.batchChunkSize = batchChunkSize
            self.scanCount = scanCount
        }
    }

    /// Counts of what the cluster asked of the client, so tests can prove redirects were exercised.
    public struct Statistics: Sendable, Equatable {
        public var moved = 0
        public var ask = 0
        public var retries = 0
        public var refreshes = 0
    }

    struct State {
        var topology: KVClusterTopology?
        var pools: [KVEndpoint: RedisPool] = [:]
        var replicaPools: [KVEndpoint: RedisPool] = [:]
        var latency: [KVEndpoint: Duration] = [:]
        /// A refresh is under way; callers that need its result wait in ``refreshWaiters``.
        var refreshing = false
        var refreshWaiters: [CheckedContinuation<Void, Never>] = []
        var lastRefresh: ContinuousClock.Instant?
        /// Wakes ``run()`` for a refresh, while it runs.
        var refreshSignal: AsyncStream<Void>.Continuation?
        var statistics = Statistics()
        var closed = false
    }

    public let options: Options
    let logger: Logger
    let state = Mutex(State())

    public init(options: Options, logger: Logger = KVLogging.disabled) {
        self.options = options
        self.logger = logger
    }

    deinit {
        let pools = state.withLock { Array($0.pools.values) + Array($0.replicaPools.values) }
        for pool in pools { pool.close() }
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The slot map as last loaded.
    public var topology: KVClusterTopology? { state.withLock { $0.topology } }

    /// Loads the slot map from the seeds. The periodic refresh runs in ``run()``; without it, the map is
    /// still refreshed whenever a node redirects, fails or times out.
    ///
    /// - Throws: `connectionFailed` naming every seed when none answers `CLUSTER SLOTS`.
    public func start() async throws(KVError) {
        try await loadTopology()
    }

    func checkOpen() throws(KVError) {
        if state.withLock({ $0.closed }) { throw .shutdown(node: "cluster") }
    }

    // MARK: Pools

    /// The pool for a node (replica pools send `READONLY`).
    package func pool(for endpoint: KVEndpoint, replica: Bool = false) -> RedisPool {
        state.withLock { pool(for: endpoint, replica: replica, in: &$0) }
    }

    /// The pool for a node, made on first use. Called with the lock held.
    func pool(for endpoint: KVEndpoint, replica: Bool, in state: inout State) -> RedisPool {
        if replica, let pool = state.replicaPools[endpoint] { return pool }
        if !replica, let pool = state.pools[endpoint] { return pool }
        var connection = options.connection
        connection.endpoint = endpoint
        connection.readOnly = replica
        let pool = RedisPool(configuration: connection, size: options.poolSize, logger: logger)
        if state.closed {
            pool.close()
            return pool
        }
        if replica { state.replicaPools[endpoint] = pool } else { state.pools[endpoint] = pool }
        return pool
    }

    // MARK: KVStore, single keys

    @discardableResult
    public func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try KVLimits.check(key: key, valueCount: value.count)
        let ttl = try setOptions.ttlMilliseconds(key: key)
        try checkOpen()
        let reply = try await execute(RedisKeyCommands.set(key, value, ttlMilliseconds: ttl, options: setOptions), key: key)
        return try RedisKeyCommands.wasSet(reply, key: key, node: "cluster")
    }

    public func get(_ key: String) async throws(KVError) -> [UInt8]? {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.value(try await execute(RedisKeyCommands.get(key), key: key, read: true), key: key, node: "cluster")
    }

    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.timeToLive(try await execute(RedisKeyCommands.pttl(key), key: key, read: true), key: key, node: "cluster")
    }

    public func delete(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.count(try await execute(RedisKeyCommands.unlink([key]), key: key), key: key, node: "cluster") > 0
    }

    /// One `EVALSHA` on the slot's master (`EVAL` after `NOSCRIPT`), following redirects.
    public func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        let ttl = try KVAtomic.check(key: key, expected: expected, new: new, options: setOptions)
        try checkOpen()
        return try await RedisAtomicCommands.compareAndSet(
            key, expected: expected, new: new, ttlMilliseconds: ttl, keepTTL: setOptions.keepTTL, node: "cluster"
        ) { (command) throws(KVError) in try await self.execute(command, key: key) }
    }

    /// `INCRBY` on the slot's master; with a TTL for a created key, one script.
    public func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        let ttl = try KVAtomic.check(key: key, ttlIfCreated: ttlIfCreated)
        try checkOpen()
        guard let ttl else {
            do {
                return try RedisAtomicCommands.incremented(try await execute(RedisAtomicCommands.incrementBy(key, delta), key: key), key: key, node: "cluster")
            } catch {
                throw error.code == .serverError ? RedisAtomicCommands.incrementError(error) : error
            }
        }
        return try await RedisAtomicCommands.increment(key, by: delta, ttlMilliseconds: ttl, node: "cluster") { (command) throws(KVError) in
            try await self.execute(command, key: key)
        }
    }

    /// `GET` and `PTTL` in one round trip (from a replica when `readFrom` allows).
    public func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL? {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisAtomicCommands.valueWithTTL(try await execute(RedisAtomicCommands.getWithTTL(key), key: key, read: true), key: key, node: "cluster")
    }

    public func contains(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.count(try await execute(RedisKeyCommands.exists(key), key: key, read: true), key: key, node: "cluster") > 0
    }

    public func locate(_ key: String) async throws(KVError) -> KVLocation {
        try KVLimits.check(key: key)
        try checkOpen()
        let slot = KVClusterSlot.slot(for: key)
        guard let master = state.withLock({ $0.topology?.master(for: slot) }) else {
            throw KVError(.unavailable, "no node serves slot \(slot)", key: key)
        }
        return KVLocation(key: key, node: master.description, slot: slot)
    }

    /// Every key with the prefix, each once, also while slots migrate (see `ClusterListing`).
    public func list(prefix: String) -> KVKeySequence {
        KVKeySequence { [self] in ClusterListing(store: self, prefix: prefix) }
    }

    public func shutdown() async {
        let (pools, signal, waiters) = state.withLock { state in
            defer {
                state.closed = true
                state.pools = [:]
                state.replicaPools = [:]
                state.refreshSignal = nil
                state.refreshWaiters = []
            }
            return (Array(state.pools.values) + Array(state.replicaPools.values), state.refreshSignal, state.refreshWaiters)
        }
        signal?.finish()
        for waiter in waiters { waiter.resume() }
        for pool in pools { pool.close() }
    }
}
