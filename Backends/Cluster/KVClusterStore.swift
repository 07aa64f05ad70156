public import KVCore
public import KVRedisConfiguration
package import KVRedisCore
public import Logging
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
public final class KVClusterStore: KVStore {
    public enum ReadFrom: String, Sendable {
        /// Every read goes to the slot's master.
        case master
        /// Reads go to a replica of the slot when there is one (`READONLY`), else the master.
        case replicaPreferred
        /// Reads go to the node with the lowest measured round trip among the master and its replicas.
        case nearest
    }

    public struct Options: Sendable {
        /// Nodes asked for the slot map at start; the map then names every node.
        public var seeds: [KVEndpoint]
        /// How to talk to every node: authentication, timeouts, TLS, the pool (default 1 connection per node,
        /// which keeps pipelines long) and batches (`KVRedisNodeConfiguration/maxChunksInFlight` per node
        /// that a batch reaches; its keys retried one by one after redirects go four times as many at once).
        public var node: KVRedisNodeConfiguration
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
        public var confirmWrites: KVWriteConfirmation?
        /// Nodes asked for the slot map at once; the first valid answer wins, so a frozen node costs at most one
        /// short timeout.
        public var slotMapProbes: Int

        public init(
            seeds: [KVEndpoint], node: KVRedisNodeConfiguration = KVRedisNodeConfiguration(), maxRedirects: Int = 5,
            retryBudget: Duration = .seconds(5), refreshInterval: Duration = .seconds(30), minRefreshInterval: Duration = .milliseconds(100),
            readFrom: ReadFrom = .master, confirmWrites: KVWriteConfirmation? = nil, slotMapProbes: Int = 3
        ) {
            self.seeds = seeds
            self.node = node
            self.maxRedirects = maxRedirects
            self.retryBudget = retryBudget
            self.refreshInterval = refreshInterval
            self.minRefreshInterval = minRefreshInterval
            self.readFrom = readFrom
            self.confirmWrites = confirmWrites
            self.slotMapProbes = max(1, slotMapProbes)
        }
    }

    /// Counts of what the cluster asked of the client, so tests can prove redirects were exercised.
    public struct Statistics: Sendable, Equatable {
        public var moved = 0
        public var ask = 0
        public var retries = 0
        public var refreshes = 0
    }

    /// A node's client: the master's, or a replica's (its connections send `READONLY`).
    struct NodeKey: Hashable {
        var endpoint: KVEndpoint
        var replica: Bool
    }

    struct State {
        var topology: KVClusterTopology?
        var clients: [NodeKey: RedisNodeClient] = [:]
        var latency: [KVEndpoint: Duration] = [:]
        var schedule: ClusterRefreshSchedule
        /// Wakes ``run()`` for a refresh, while it runs.
        var refreshSignal: AsyncStream<Void>.Continuation?
        var statistics = Statistics()
        var closed = false
        /// Until when (coarse monotonic nanoseconds) the near caches may serve: the slot map's last load plus
        /// ``KVClusterStore/nearCacheMapLease``.
        var nearCacheLease: UInt64 = 0
    }

    public let options: Options
    let logger: Logger
    let state: Mutex<State>
    /// The slot-map refresh under way, shared by every caller that asks for one meanwhile.
    let refreshes = RedisSingleFlight<Void>()
    /// The watch feeds, on the masters of the slot map.
    let watches: RedisWatches

    public init(options: Options, logger: Logger = KVLogging.disabled) {
        self.options = options
        self.logger = logger
        state = Mutex(State(schedule: ClusterRefreshSchedule(minInterval: options.minRefreshInterval)))
        watches = RedisWatches(nodes: [], logger: logger)
    }

    deinit {
        for client in state.withLock({ Array($0.clients.values) }) { client.close() }
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

    // MARK: Nodes

    /// The client of a node (a replica's sends `READONLY`), made on first use, outside the lock: a pool starts
    /// its connections' threads.
    func client(for endpoint: KVEndpoint, replica: Bool = false) -> RedisNodeClient {
        let key = NodeKey(endpoint: endpoint, replica: replica)
        if let client = state.withLock({ $0.clients[key] }) { return client }
        let node = RedisNodeOptions(
            connection: RedisConnectionConfiguration(endpoint: endpoint, readOnly: replica, settings: options.node), defaultPoolSize: 1,
            confirmWrites: replica ? nil : options.confirmWrites)
        let made = RedisNodeClient(options: node, logger: logger)
        let (client, keep) = state.withLock { state -> (RedisNodeClient, Bool) in
            if let existing = state.clients[key] { return (existing, false) }
            if state.closed { return (made, false) }
            state.clients[key] = made
            return (made, true)
        }
        if !keep { made.close() }
        return client
    }

    /// The connections of a node, for listings and tests in this package.
    package func pool(for endpoint: KVEndpoint, replica: Bool = false) -> RedisPool {
        client(for: endpoint, replica: replica).pool
    }

    // MARK: KVStore, single keys (the engine's, routed by ``send(_:key:write:)``)

    @discardableResult
    public func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try await router.set(key, value, options: setOptions)
    }

    public func get(_ key: String) async throws(KVError) -> [UInt8]? { try await router.get(key) }
    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive { try await router.ttl(key) }
    public func delete(_ key: String) async throws(KVError) -> Bool { try await router.delete(key) }
    public func contains(_ key: String) async throws(KVError) -> Bool { try await router.contains(key) }

    /// One `EVALSHA` on the slot's master (`EVAL` after `NOSCRIPT`), following redirects.
    public func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try await router.compareAndSet(key, expected: expected, new: new, options: setOptions)
    }

    /// `INCRBY` on the slot's master; with a TTL for a created key, one script.
    public func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        try await router.increment(key, by: delta, ttlIfCreated: ttlIfCreated)
    }

    /// `GET` and `PTTL` in one round trip (from a replica when `readFrom` allows).
    public func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL? { try await router.getWithTTL(key) }

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
        let (clients, signal) = state.withLock { state in
            defer {
                state.closed = true
                state.clients = [:]
                state.refreshSignal = nil
            }
            return (Array(state.clients.values), state.refreshSignal)
        }
        signal?.finish()
        refreshes.cancel(with: ())
        watches.close(store: "cluster")
        for client in clients { client.close() }
    }
}
