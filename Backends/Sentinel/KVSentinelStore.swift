public import KVCore
public import KVRedisConfiguration
import KVRedisCore
public import Logging
import Synchronization

/// One Redis master found through Sentinel, followed across failovers: a router over the engine's node clients.
///
/// The master is asked of every sentinel at once (`SENTINEL MASTER`, the newest configuration epoch wins), checked
/// with `ROLE`, and asked again after a connection error, a timeout or a `READONLY` reply, and before a write when
/// it was last checked more than ``Options/verifyInterval`` ago. From its first call the store listens to every sentinel's failover
/// announcements (a thread per sentinel, whether or not ``run()`` runs): once a failover of the master starts,
/// writes wait (within their retry budget) until the promoted replica answers as master, so that no write goes
/// to the old master after the promotion, where it would be acknowledged and then lost. Connections to a
/// demoted master are closed at the switch. With ``Options/confirmWrites``, each write is confirmed by replicas
/// with `WAIT`. Reads can go to replicas (`readFrom: .replicaPreferred`).
///
/// ```swift
/// let store = try await KVStores.open("sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster/0")
/// ```
public final class KVSentinelStore: KVStore {
    public struct Options: Sendable {
        /// Sentinel addresses, asked in turn.
        public var sentinels: [KVEndpoint]
        /// The name the sentinels monitor the master by.
        public var masterName: String
        /// How to talk to the master and replicas: authentication, database, timeouts, TLS, the pool (default
        /// 2 connections) and batches.
        public var node: KVRedisNodeConfiguration
        /// How to talk to the sentinels: by default ``node`` without its user, password and database (the URL's
        /// `sentinelUser` and `sentinelPassword` set their own).
        public var sentinelNode: KVRedisNodeConfiguration
        public var readFrom: ReadFrom
        /// How long a call keeps retrying (re-resolving the master) when it provably did not run.
        public var retryBudget: Duration
        /// How often ``run()`` re-checks the master and refreshes the sentinel and replica lists.
        public var refreshInterval: Duration
        /// How often, at most, the master is checked again before a write (default 1 s): the backstop for
        /// failover announcements missed while a sentinel connection was down.
        public var verifyInterval: Duration
        /// Each write waits until this many replicas have it (`WAIT`), or fails with `unavailable`; with every
        /// replica, a failover loses no acknowledged write. Off by default.
        public var confirmWrites: KVWriteConfirmation?

        public enum ReadFrom: String, Sendable { case master, replicaPreferred }

        public init(sentinels: [KVEndpoint], masterName: String, node: KVRedisNodeConfiguration = KVRedisNodeConfiguration()) {
            self.sentinels = sentinels
            self.masterName = masterName
            self.node = node
            var sentinel = node
            sentinel.user = nil
            sentinel.password = nil
            sentinel.database = 0
            sentinelNode = sentinel
            readFrom = .master
            retryBudget = .seconds(5)
            refreshInterval = .seconds(10)
            verifyInterval = .seconds(1)
        }
    }

    /// The master and replicas in use.
    struct Nodes {
        var master: KVEndpoint
        var client: RedisNodeClient
        var replicas: [(endpoint: KVEndpoint, client: RedisNodeClient)]
    }

    struct State {
        var nodes: Nodes?
        /// The master in use may be gone: the next call asks the sentinels again.
        var needsCheck = false
        /// Sentinels in the order to ask them: the last one that answered first.
        var sentinels: [KVEndpoint]
        var sentinelPools: [KVEndpoint: RedisPool] = [:]
        /// What the sentinels announced about a failover of the master.
        var tracker: SentinelFailoverTracker
        /// A subscription to each sentinel's failover announcements.
        var watchers: [KVEndpoint: RedisSubscription] = [:]
        var closed = false
    }

    public let options: Options
    let logger: Logger
    let state: Mutex<State>
    /// The look for the master under way, whose outcome every call that needs one meanwhile shares.
    let resolutions = RedisSingleFlight<Resolution>()
    /// The watch feeds, on the master in use (not the sentinels' own event subscriptions, `watchers`).
    let watchFeeds: RedisWatches
    /// Sentinels known at most (the configured ones and those the sentinels name).
    static let maxSentinels = 16

    public init(options: Options, logger: Logger = KVLogging.disabled) throws(KVError) {
        guard !options.sentinels.isEmpty else { throw .invalidConfiguration("sentinel:// needs at least one sentinel host:port") }
        guard !options.masterName.isEmpty else { throw .invalidConfiguration("sentinel:// needs a master name: sentinel://host:port/mymaster") }
        self.options = options
        self.logger = logger
        state = Mutex(State(sentinels: options.sentinels, tracker: SentinelFailoverTracker(verifyInterval: options.verifyInterval)))
        watchFeeds = RedisWatches(nodes: [], logger: logger)
    }

    func checkOpen() throws(KVError) {
        if state.withLock({ $0.closed }) { throw KVError.shutdown(node: "sentinel") }
    }

    // MARK: Routing

    /// Runs `operation` on the master (or, for a read with replicas preferred, a replica), resolving the master
    /// first if needed; a write waits while a failover of the master is under way. A failure that provably did
    /// not run — no connection, a `READONLY` reply from a demoted master, a connection closed at a switch —
    /// resolves the master again and retries within the retry budget; a timeout or an unknown outcome
    /// resolves again but is surfaced.
    func route<T>(read: Bool = false, _ operation: (RedisNodeClient) async throws(KVError) -> T) async throws(KVError) -> T {
        let deadline = ContinuousClock.now + options.retryBudget
        var backOff = RedisBackOff(first: .milliseconds(50))
        while true {
            try checkOpen()
            let nodes = try await currentNodes(write: !read, deadline: deadline)
            let client = read && options.readFrom == .replicaPreferred ? (nodes.replicas.randomElement()?.client ?? nodes.client) : nodes.client
            do throws(KVError) {
                return try await operation(client)
            } catch {
                let notRun = error.code == .connectionFailed || RedisRetryPolicy.refusedByNodeState(error) || (error.code == .shutdown && !state.withLock { $0.closed })
                guard notRun || error.code == .timeout || error.code == .outcomeUnknown else { throw error }
                forget(nodes.master)
                guard notRun, ContinuousClock.now < deadline else { throw error }
                try? await Task.sleep(for: backOff.next())
            }
        }
    }

    // MARK: KVStore

    @discardableResult
    public func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try await route { (client) throws(KVError) in try await client.set(key, value, options: setOptions) }
    }

    public func get(_ key: String) async throws(KVError) -> [UInt8]? {
        try await route(read: true) { (client) throws(KVError) in try await client.get(key) }
    }

    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive {
        try await route(read: true) { (client) throws(KVError) in try await client.ttl(key) }
    }

    public func delete(_ key: String) async throws(KVError) -> Bool {
        try await route { (client) throws(KVError) in try await client.delete(key) }
    }

    public func contains(_ key: String) async throws(KVError) -> Bool {
        try await route(read: true) { (client) throws(KVError) in try await client.contains(key) }
    }

    /// Lists the master's keys (or a replica's, with replicas preferred); a failover during the listing ends it with its error.
    public func list(prefix: String) -> KVKeySequence {
        KVKeySequence { [self] in SentinelListing(store: self, prefix: prefix) }
    }

    public func batchSet(_ entries: [KVEntry], options setOptions: KVSetOptions) async throws(KVError) {
        try await route { (client) throws(KVError) in try await client.batchSet(entries, options: setOptions) }
    }

    public func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        try await route(read: true) { (client) throws(KVError) in try await client.batchGet(keys) }
    }

    public func batchDelete(_ keys: [String]) async throws(KVError) -> Int {
        try await route { (client) throws(KVError) in try await client.batchDelete(keys) }
    }

    public func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try await route { (client) throws(KVError) in try await client.compareAndSet(key, expected: expected, new: new, options: setOptions) }
    }

    public func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        try await route { (client) throws(KVError) in try await client.increment(key, by: delta, ttlIfCreated: ttlIfCreated) }
    }

    public func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL? {
        try await route(read: true) { (client) throws(KVError) in try await client.getWithTTL(key) }
    }

    public func locate(_ key: String) async throws(KVError) -> KVLocation {
        try KVLimits.check(key: key)
        return KVLocation(key: key, node: try await currentNodes(write: false, deadline: .now + options.retryBudget).master.description)
    }

    public func shutdown() async {
        let (nodes, pools, watchers) = state.withLock { state in
            defer {
                state.closed = true
                state.nodes = nil
                state.sentinelPools = [:]
                state.watchers = [:]
            }
            return (state.closed ? nil : state.nodes, state.sentinelPools, state.watchers)
        }
        resolutions.cancel(with: .failed(.shutdown(node: "sentinel")))
        watchFeeds.close(store: "sentinel")
        watchers.values.forEach { $0.stop() }
        nodes?.client.close()
        nodes?.replicas.forEach { $0.client.close() }
        pools.values.forEach { $0.close() }
    }
}

/// Pages of `SCAN` on the node the store reads from, found when the listing starts.
struct SentinelListing: KVKeyPageSource {
    let store: KVSentinelStore
    let prefix: String
    var source: RedisScanSource?

    var skippedKeys: Int { source?.skippedKeys ?? 0 }

    mutating func nextPage() async throws(KVError) -> [String]? {
        if source == nil {
            let nodes = try await store.currentNodes(write: false, deadline: .now + store.options.retryBudget)
            let client = store.options.readFrom == .replicaPreferred ? (nodes.replicas.randomElement()?.client ?? nodes.client) : nodes.client
            source = RedisScanSource(pools: [client.pool], prefix: prefix, count: store.options.node.scanCount) { [store] () throws(KVError) in
                try store.checkOpen()
                try client.checkOpen()
            }
        }
        return try await source!.nextPage()
    }
}

extension KVSentinelStore: KVDecodedValueStore {
    /// A hit in the master's cache (with `readFrom=replicaPreferred`, reads go through `getKept` and its routing).
    @usableFromInline package func peekKept(_ key: String) throws(KVError) -> KVPeek {
        guard options.readFrom != .replicaPreferred, let nodes = state.withLock({ $0.needsCheck ? nil : $0.nodes }) else { return .unknown }
        return try nodes.client.peekKept(key)
    }

    /// `get` for `KVClient`: with `nearCache=on`, a hit's bytes with the decoded value kept beside them.
    @usableFromInline package func getKept(_ key: String) async throws(KVError) -> KVKeptRead? {
        try await route(read: true) { (client) throws(KVError) in try await client.getKept(key) }
    }

    /// Offered to every node's cache: only the one that holds the very bytes keeps it.
    @usableFromInline package func keep(_ value: KVDecodedValue, for key: String) {
        guard let nodes = state.withLock({ $0.nodes }) else { return }
        for client in [nodes.client] + nodes.replicas.map(\.client) { client.keep(value, for: key) }
    }
}
