import KVCore
import KVRedisCore
import Logging
import Synchronization

/// A store on a Redis Cluster: slot routing, `MOVED`/`ASK` redirects, topology refresh, failover retries,
/// and optional replica reads.
///
/// ```swift
/// let cluster = try await KVStores.open("cluster://127.0.0.1:7000,127.0.0.1:7001")
/// ```
public final class ClusterStore: KVStore {
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
        var topology: ClusterTopology?
        var pools: [KVEndpoint: RedisPool] = [:]
        var replicaPools: [KVEndpoint: RedisPool] = [:]
        var latency: [KVEndpoint: Duration] = [:]
        var refreshing: Task<Void, Never>?
        var lastRefresh: ContinuousClock.Instant?
        var background: Task<Void, Never>?
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
        let (pools, background) = state.withLock { (Array($0.pools.values) + Array($0.replicaPools.values), $0.background) }
        background?.cancel()
        for pool in pools { pool.close() }
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The slot map as last loaded.
    public var topology: ClusterTopology? { state.withLock { $0.topology } }

    /// Loads the slot map from the seeds and starts the background refresh.
    ///
    /// - Throws: `connectionFailed` naming every seed when none answers `CLUSTER SLOTS`.
    public func start() async throws(KVError) {
        try await loadTopology()
        let interval = options.refreshInterval
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.refresh(force: true)
            }
        }
        state.withLock { $0.background = task }
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
    private func pool(for endpoint: KVEndpoint, replica: Bool, in state: inout State) -> RedisPool {
        if replica, let pool = state.replicaPools[endpoint] { return pool }
        if !replica, let pool = state.pools[endpoint] { return pool }
        var connection = options.connection
        connection.endpoint = endpoint
        connection.readOnly = replica
        let pool = RedisPool(configuration: connection, size: options.poolSize, logger: logger)
        if replica { state.replicaPools[endpoint] = pool } else { state.pools[endpoint] = pool }
        return pool
    }

    // MARK: Topology

    /// Refreshes the slot map: single-flight (concurrent callers share one refresh) and rate-limited.
    public func refresh(force: Bool = false) async {
        let now = ContinuousClock.now
        let task: Task<Void, Never>? = state.withLock { state in
            if state.closed { return nil }
            if let running = state.refreshing { return running }
            if !force, let last = state.lastRefresh, now - last < options.minRefreshInterval { return nil }
            if let last = state.lastRefresh, now - last < options.minRefreshInterval / 2 { return nil }
            let task = Task {
                try? await self.loadTopology()
                self.state.withLock {
                    $0.refreshing = nil
                    $0.lastRefresh = ContinuousClock.now
                }
            }
            state.refreshing = task
            return task
        }
        await task?.value
    }

    func loadTopology() async throws(KVError) {
        let candidates = state.withLock { state in
            var seen = Set<KVEndpoint>()
            return ((state.topology?.nodes ?? []) + options.seeds).filter { seen.insert($0).inserted }
        }
        var errors: [String] = []
        for endpoint in candidates {
            do {
                let reply = try await pool(for: endpoint).send(RedisCommand("CLUSTER", "SLOTS")).orThrow(node: endpoint.description)
                guard let topology = ClusterTopology.parse(reply, askedHost: endpoint.host), !topology.ranges.isEmpty else {
                    errors.append("\(endpoint): no slot map in the CLUSTER SLOTS reply")
                    continue
                }
                state.withLock {
                    $0.topology = topology
                    $0.statistics.refreshes += 1
                }
                if options.readFrom == .nearest { await measureLatency(topology) }
                return
            } catch {
                errors.append("\(endpoint): \(error.message)")
            }
        }
        throw KVError(.connectionFailed, "no cluster node answered CLUSTER SLOTS: \(errors.joined(separator: "; "))", node: candidates.map(\.description).joined(separator: ","))
    }

    private func measureLatency(_ topology: ClusterTopology) async {
        for endpoint in topology.nodes {
            let start = ContinuousClock.now
            let replica = !topology.masters.contains(endpoint)
            if (try? await pool(for: endpoint, replica: replica).send(RedisCommand("PING"))) != nil {
                let elapsed = ContinuousClock.now - start
                state.withLock { $0.latency[endpoint] = elapsed }
            }
        }
    }

    /// Where a command goes: a node, whether it is a replica, and its pool.
    struct Route {
        let endpoint: KVEndpoint
        let replica: Bool
        let pool: RedisPool
    }

    /// The route of a command for `slot` (reads follow `readFrom`), found and pooled under one lock.
    func route(slot: Int, read: Bool) -> Route? {
        state.withLock { state in
            guard let topology = state.topology, let master = topology.master(for: slot) else { return nil }
            var endpoint = master
            if read {
                let replicas = topology.replicas(for: slot)
                switch options.readFrom {
                case .master: break
                case .replicaPreferred: endpoint = replicas.randomElement() ?? master
                case .nearest: endpoint = ([master] + replicas).min { (state.latency[$0] ?? .seconds(1)) < (state.latency[$1] ?? .seconds(1)) } ?? master
                }
            }
            let replica = endpoint != master
            return Route(endpoint: endpoint, replica: replica, pool: pool(for: endpoint, replica: replica, in: &state))
        }
    }

    // MARK: Routing with redirects

    /// Sends `command` for `key` to the slot's node, following `MOVED` and `ASK`, and retrying transient
    /// cluster states and refused connections within the retry budget. Any other error reply is thrown as
    /// `serverError` naming the key and the node.
    func execute(_ command: RedisCommand, key: String, read: Bool = false) async throws(KVError) -> RedisReply {
        let slot = ClusterSlot.slot(for: key)
        let deadline = ContinuousClock.now + options.retryBudget
        var asking: KVEndpoint?
        var redirects = 0
        var attempt = 0
        var lastNode = "none"
        while true {
            let routed: Route
            if let asking {
                routed = Route(endpoint: asking, replica: false, pool: pool(for: asking))
            } else if let found = route(slot: slot, read: read) {
                routed = found
            } else {
                try await backOff(&attempt, deadline: deadline, key: key, slot: slot, lastNode: lastNode, cause: "no node serves the slot")
                await refresh(force: true)
                continue
            }
            lastNode = routed.endpoint.description
            var commands = [command]
            if asking != nil { commands.insert(RedisCommand("ASKING"), at: 0) }
            if !read, let wait = waitCommand { commands.append(wait) }
            let replies: [RedisReply]
            do {
                replies = try await routed.pool.pipeline(commands)
            } catch {
                guard error.code == .connectionFailed, ContinuousClock.now < deadline else {
                    var error = error
                    error.key = key
                    throw error
                }
                // The node is gone (failover under way): reload the map and try again within the budget.
                state.withLock { $0.statistics.retries += 1 }
                asking = nil
                await refresh(force: true)
                try await backOff(&attempt, deadline: deadline, key: key, slot: slot, lastNode: lastNode, cause: error.message)
                continue
            }
            let reply = replies[asking == nil ? 0 : 1]
            if let message = reply.errorMessage, let redirect = ClusterRedirect(message, currentHost: routed.endpoint.host) {
                switch redirect {
                case .moved(let movedSlot, let to):
                    redirects += 1
                    asking = nil
                    state.withLock {
                        $0.statistics.moved += 1
                        $0.topology?.assign(slot: movedSlot, to: to)
                    }
                    Task { await self.refresh() }
                case .ask(_, let to):
                    redirects += 1
                    asking = to
                    state.withLock { $0.statistics.ask += 1 }
                case .retry(let kind):
                    asking = nil
                    state.withLock { $0.statistics.retries += 1 }
                    if kind == "CLUSTERDOWN" || kind == "MASTERDOWN" { await refresh() }
                    try await backOff(&attempt, deadline: deadline, key: key, slot: slot, lastNode: lastNode, cause: message)
                }
                if redirects > options.maxRedirects {
                    throw KVError(.unavailable, "gave up after \(redirects) redirects for slot \(slot); last: \(message)", key: key, node: lastNode)
                }
                continue
            }
            if let message = reply.errorMessage {
                throw RedisReply.error(message, key: key, node: lastNode)
            }
            if !read, let confirm = options.confirmWrites {
                let acknowledged = replies.last?.integer ?? 0
                if acknowledged < Int64(confirm.replicas) {
                    throw KVError(.unavailable, "the write reached \(acknowledged) of \(confirm.replicas) replicas within \(confirm.timeout)", key: key, node: lastNode)
                }
            }
            return reply
        }
    }

    /// `WAIT replicas timeout-ms` after each write, when writes are confirmed. The timeout is rounded up:
    /// `WAIT n 0` would block forever.
    var waitCommand: RedisCommand? {
        options.confirmWrites.map { RedisCommand("WAIT", String($0.replicas), String(max(1, $0.timeout.roundedUpMilliseconds))) }
    }

    /// Waits with jittered exponential backoff, or throws when the retry budget is spent.
    private func backOff(_ attempt: inout Int, deadline: ContinuousClock.Instant, key: String, slot: Int, lastNode: String, cause: String) async throws(KVError) {
        attempt += 1
        let base = min(500, 10 << min(attempt, 6))
        let delay = Duration.milliseconds(Int.random(in: base / 2...base))
        guard ContinuousClock.now + delay < deadline else {
            throw KVError(.unavailable, "retry budget of \(options.retryBudget) spent for slot \(slot): \(cause)", key: key, node: lastNode)
        }
        try? await Task.sleep(for: delay)
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

    public func contains(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        try checkOpen()
        return try RedisKeyCommands.count(try await execute(RedisKeyCommands.exists(key), key: key, read: true), key: key, node: "cluster") > 0
    }

    public func locate(_ key: String) async throws(KVError) -> KVLocation {
        try KVLimits.check(key: key)
        try checkOpen()
        let slot = ClusterSlot.slot(for: key)
        guard let master = state.withLock({ $0.topology?.master(for: slot) }) else {
            throw KVError(.unavailable, "no node serves slot \(slot)", key: key)
        }
        return KVLocation(key: key, node: master.description, slot: slot)
    }

    /// Merges `SCAN` over every master; a key seen on two masters (during a failover or migration) is listed once.
    public func list(prefix: String) -> KVKeySequence {
        KVKeySequence { [self] in
            let masters = state.withLock { $0.topology?.masters ?? [] }
            return RedisScanSource(pools: masters.map { pool(for: $0) }, prefix: prefix, count: options.scanCount) { () throws(KVError) in
                try self.checkOpen()
            }
        }
    }

    public func shutdown() async {
        let (pools, background, refreshing) = state.withLock { state in
            defer {
                state.closed = true
                state.pools = [:]
                state.replicaPools = [:]
            }
            return (Array(state.pools.values) + Array(state.replicaPools.values), state.background, state.refreshing)
        }
        background?.cancel()
        refreshing?.cancel()
        for pool in pools { pool.close() }
    }
}
