public import KVCore
public import KVRedisConfiguration
import KVRedisCore
public import Logging
import ServiceLifecycle
import Synchronization

/// Client-side sharding over independent Redis servers with consistent hashing.
///
/// A heartbeat `PING`s every shard; after `failureThreshold` consecutive failures a shard is down and its keys
/// go to the survivors (or fail fast with `onShardDown: .fail`); one success brings it back. There is no
/// coordination between clients: this suits caches. Use the cluster backend when data must not move.
///
/// ```swift
/// let ring = try await KVStores.open("ring://s1=127.0.0.1:7000,s2=127.0.0.1:7001,s3=127.0.0.1:7002")
/// ```
///
/// The heartbeat monitor is the store's swift-service-lifecycle ``run()``: add the ring to a `ServiceGroup`.
/// Without `run()` the ring still fails over: calls count as heartbeats (a shard is down after
/// `failureThreshold` consecutive failed calls), and the calls routed while a shard is down probe it again
/// once per heartbeat interval.
public final class KVRingStore: KVStore {
    public struct Options: Sendable {
        public var shards: [KVRingShard]
        public var hash: any KVConsistentHash
        public var heartbeatInterval: Duration
        /// Consecutive failed heartbeats before a shard is down.
        public var failureThreshold: Int
        public var onShardDown: KVRingShardDownPolicy
        /// How to talk to every shard: authentication, timeouts, TLS, the pool (default 1 connection per shard,
        /// which keeps pipelines long; see docs/ring.md) and batches, per shard.
        public var node: KVRedisNodeConfiguration
        /// Adjusts one shard's settings (a password per shard, say) before it is opened.
        public var configureShard: @Sendable (String, inout KVRedisNodeConfiguration) -> Void

        public init(
            shards: [KVRingShard], node: KVRedisNodeConfiguration = KVRedisNodeConfiguration(), hash: any KVConsistentHash = KVRendezvousHash(),
            heartbeatInterval: Duration = .milliseconds(500), failureThreshold: Int = 3, onShardDown: KVRingShardDownPolicy = .reroute,
            configureShard: @escaping @Sendable (String, inout KVRedisNodeConfiguration) -> Void = { _, _ in }
        ) {
            self.shards = shards
            self.node = node
            self.hash = hash
            self.heartbeatInterval = heartbeatInterval
            self.failureThreshold = failureThreshold
            self.onShardDown = onShardDown
            self.configureShard = configureShard
        }
    }

    /// A shard as the ring sees it now.
    final class Member: Sendable {
        let shard: KVRingShard
        let client: RedisNodeClient
        /// A connection of its own for heartbeats, so a PING never queues behind a large batch and times out
        /// within one heartbeat interval even when the command timeout is longer.
        let heartbeat: RedisConnection

        /// Whether the shard's last heartbeat or call failed, read without the lock on every successful call.
        let failing = Atomic<Bool>(false)

        init(shard: KVRingShard, client: RedisNodeClient, heartbeat: RedisConnection) {
            self.shard = shard
            self.client = client
            self.heartbeat = heartbeat
        }

        deinit { heartbeat.close() }
        var name: String { shard.name }
        var node: String { "\(shard.name) (\(shard.endpoint))" }
    }

    struct State: Sendable {
        var members: [Member] = []
        var membership: RingMembership
        var live: [Member] = []
        var livePlacement: (any KVShardPlacement)?
        var allPlacement: (any KVShardPlacement)?
        var subscribers: [Int: AsyncStream<KVRingEvent>.Continuation] = [:]
        var nextSubscriber = 0
        var closed = false
    }

    public let options: Options
    let logger: Logger
    let state: Mutex<State>
    /// How many shards are down (a mirror of the membership's count, read without the lock on every call).
    let downShards = Atomic<Int>(0)
    /// ``run()`` is probing the shards; calls then leave probing to it.
    let monitorRunning = Atomic<Bool>(false)
    /// The watch feeds, on the live shards.
    let watches: RedisWatches

    public init(options: Options, logger: Logger = KVLogging.disabled) throws(KVError) {
        guard !options.shards.isEmpty else { throw .invalidConfiguration("a ring needs at least one shard") }
        let names = options.shards.map(\.name)
        guard Set(names).count == names.count else { throw .invalidConfiguration("shard names must be unique, got \(names)") }
        self.options = options
        self.logger = logger
        state = Mutex(State(membership: RingMembership(shards: names, failureThreshold: options.failureThreshold, probeInterval: options.heartbeatInterval)))
        watches = RedisWatches(nodes: [], logger: logger)
        let members = options.shards.map(makeMember)
        state.withLock { state in
            state.members = members
            rebuild(&state, flushingNearCaches: false)
        }
        watches.setNodes(liveConnections, resync: nil)
    }

    deinit {
        let members = state.withLock { $0.members }
        for member in members { member.client.close() }
    }

    func makeMember(_ shard: KVRingShard) -> Member {
        var settings = options.node
        options.configureShard(shard.name, &settings)
        let connection = RedisConnectionConfiguration(endpoint: shard.endpoint, settings: settings)
        var heartbeat = connection
        heartbeat.settings.commandTimeout = min(settings.commandTimeout, options.heartbeatInterval)
        heartbeat.settings.connectTimeout = min(settings.connectTimeout, options.heartbeatInterval)
        return Member(
            shard: shard, client: RedisNodeClient(options: RedisNodeOptions(connection: connection, defaultPoolSize: 1), logger: logger),
            heartbeat: RedisConnection(configuration: heartbeat, logger: logger))
    }

    /// Rebuilds the placements from the members and their health. Called with the lock held. Keys may now be
    /// served by other shards, so every shard's near cache is flushed: an entry kept on a survivor for a down
    /// shard's key would be stale once the shard is back and goes down again.
    func rebuild(_ state: inout State, flushingNearCaches: Bool = true) {
        if flushingNearCaches {
            for member in state.members { member.client.nearCache?.flush("topology", detail: "the ring's membership changed") }
        }
        state.live = state.members.filter { state.membership.isUp($0.name) }
        downShards.store(state.membership.downCount, ordering: .relaxed)
        state.livePlacement = state.live.isEmpty ? nil : options.hash.placement(for: state.live.map(\.name))
        state.allPlacement = options.hash.placement(for: state.members.map(\.name))
    }

    // MARK: Routing

    /// The shard that owns `key` now.
    func member(for key: String) throws(KVError) -> Member {
        try owner(key: key) { $0.shardIndex(for: key) }!
    }

    /// The shard that owns a key given as bytes (which may not be UTF-8), or nil when the placement cannot place it.
    func member(forBytes key: [UInt8]) throws(KVError) -> Member? {
        try owner(key: String(decoding: key, as: UTF8.self)) { $0.shardIndex(forBytes: key) }
    }

    /// The name of the shard that owns a key given as bytes, or nil when the placement cannot place it.
    package func shard(forBytes key: [UInt8]) throws(KVError) -> String? { try member(forBytes: key)?.name }

    /// The member `index` picks from the placement in force; `key` names the key in errors.
    private func owner(key: @autoclosure () -> String, _ index: (any KVShardPlacement) -> Int?) throws(KVError) -> Member? {
        try state.withLock { (state) throws(KVError) -> Member? in
            if state.closed { throw KVError.shutdown(node: "ring") }
            switch options.onShardDown {
            case .reroute:
                guard let placement = state.livePlacement else { throw Self.allDown(state) }
                return index(placement).map { state.live[$0] }
            case .fail:
                guard let placement = state.allPlacement else { throw Self.allDown(state) }
                guard let owner = index(placement).map({ state.members[$0] }) else { return nil }
                guard state.membership.isUp(owner.name) else {
                    throw KVError(.unavailable, "shard \(owner.name) is down: \(state.membership.health[owner.name]?.lastError ?? "no heartbeat")", key: key(), node: owner.node)
                }
                return owner
            }
        }
    }

    static func allDown(_ state: State) -> KVError {
        let detail = state.members.map { "\($0.node): \(state.membership.health[$0.name]?.lastError ?? "down")" }.joined(separator: "; ")
        return KVError(.unavailable, "every shard is down: \(detail)", node: state.members.map(\.name).joined(separator: ","))
    }

    /// The name of the shard that owns `key` now.
    public func shard(for key: String) throws(KVError) -> String { try member(for: key).name }

    /// Runs `operation` on the key's shard, naming the shard in any error. The outcome counts as a heartbeat
    /// of that shard. A call that found its shard just removed by ``setShards(_:)`` (so nothing was sent) is
    /// routed once more.
    func onShard<T>(_ key: String, _ operation: (RedisNodeClient) async throws(KVError) -> T) async throws(KVError) -> T {
        try KVLimits.check(key: key)
        await probeDueShards()
        var member = try member(for: key)
        for attempt in 0..<2 {
            do {
                let result = try await operation(member.client)
                noteSuccess(of: member)
                return result
            } catch {
                if error.code == .shutdown, attempt == 0, !state.withLock({ $0.closed }) {
                    member = try self.member(for: key)
                    continue
                }
                noteFailure(of: member, error)
                throw Self.named(error, member)
            }
        }
        throw KVError.shutdown(node: "ring")
    }

    static func named(_ error: KVError, _ member: Member) -> KVError { error.relabeled(node: member.node) }

    // MARK: KVStore

    @discardableResult
    public func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try KVLimits.check(key: key, valueCount: value.count)
        _ = try setOptions.ttlMilliseconds(key: key)
        return try await onShard(key) { (store) throws(KVError) in try await store.set(key, value, options: setOptions) }
    }

    public func get(_ key: String) async throws(KVError) -> [UInt8]? {
        try await onShard(key) { (store) throws(KVError) in try await store.get(key) }
    }

    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive {
        try await onShard(key) { (store) throws(KVError) in try await store.ttl(key) }
    }

    public func delete(_ key: String) async throws(KVError) -> Bool {
        try await onShard(key) { (store) throws(KVError) in try await store.delete(key) }
    }

    public func contains(_ key: String) async throws(KVError) -> Bool {
        try await onShard(key) { (store) throws(KVError) in try await store.contains(key) }
    }

    /// On the key's shard, as the redis store does it.
    public func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        _ = try KVAtomic.check(key: key, expected: expected, new: new, options: setOptions)
        return try await onShard(key) { (store) throws(KVError) in try await store.compareAndSet(key, expected: expected, new: new, options: setOptions) }
    }

    /// On the key's shard, as the redis store does it.
    public func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        _ = try KVAtomic.check(key: key, ttlIfCreated: ttlIfCreated)
        return try await onShard(key) { (store) throws(KVError) in try await store.increment(key, by: delta, ttlIfCreated: ttlIfCreated) }
    }

    public func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL? {
        try await onShard(key) { (store) throws(KVError) in try await store.getWithTTL(key) }
    }

    public func locate(_ key: String) async throws(KVError) -> KVLocation {
        try KVLimits.check(key: key)
        return KVLocation(key: key, node: try member(for: key).name)
    }

    /// Merges `SCAN` over every live shard; a key found on two shards (after a reroute) is listed once.
    public func list(prefix: String) -> KVKeySequence {
        KVKeySequence { [self] in
            let live = state.withLock { $0.live }
            return RedisScanSource(pools: live.map(\.client.pool), prefix: prefix, count: options.node.scanCount) { () throws(KVError) in
                if self.state.withLock({ $0.closed }) { throw KVError.shutdown(node: "ring") }
                if live.isEmpty { throw self.state.withLock { Self.allDown($0) } }
            }
        }
    }

    public func health() async throws(KVError) -> KVHealthReport {
        let (members, health) = try state.withLock { (state) throws(KVError) in
            if state.closed { throw KVError.shutdown(node: "ring") }
            return (state.members, state.membership.health)
        }
        var nodes = await RedisNodeHealth.check(members.map { RedisNodeHealth.Probe($0.client, name: $0.name, role: "shard") })
        for index in nodes.indices where health[nodes[index].name]?.up == false {
            nodes[index].status = .unhealthy
            nodes[index].lastError = nodes[index].lastError ?? health[nodes[index].name]?.lastError
        }
        return KVHealthReport(backend: "ring", nodes: nodes)
    }

    public func shutdown() async {
        let (members, subscribers) = state.withLock { state in
            defer {
                state.closed = true
                state.subscribers = [:]
            }
            return (state.closed ? [] : state.members, state.subscribers)
        }
        for subscriber in subscribers.values { subscriber.finish() }
        watches.close(store: "ring")
        for member in members {
            member.heartbeat.close()
            member.client.close()
        }
    }
}

extension KVRingStore: KVDecodedValueStore {
    /// A hit in the shard's cache (no probe of due shards: a miss goes through `getKept`, which probes).
    @usableFromInline package func peekKept(_ key: String) throws(KVError) -> KVPeek {
        try KVLimits.check(key: key)
        return try member(for: key).client.peekKept(key)
    }

    /// `get` for `KVClient`: with `nearCache=on`, a hit's bytes in its shard's cache with the decoded value beside.
    @usableFromInline package func getKept(_ key: String) async throws(KVError) -> KVKeptRead? {
        try await onShard(key) { (store) throws(KVError) in try await store.getKept(key) }
    }

    @usableFromInline package func keep(_ value: KVDecodedValue, for key: String) {
        (try? member(for: key))?.client.keep(value, for: key)
    }
}
