import KVCore
import KVRedisConfiguration
import KVRedisCore
import KVRing
import KVTestSupport

/// Three (or more) servers of a test's own, and a ring over them with fast heartbeats.
struct TestRing {
    let servers: [TestRedisServer]
    let names: [String]

    static func launch(_ count: Int = 3) async throws -> TestRing {
        var servers: [TestRedisServer] = []
        for _ in 0..<count { servers.append(try await TestRedisServer.launch()) }
        return TestRing(servers: servers, names: (1...count).map { "shard\($0)" })
    }

    func shards(_ count: Int? = nil) -> [KVRingShard] {
        zip(names, servers).prefix(count ?? servers.count).map { name, server in
            KVRingShard(name: name, endpoint: KVEndpoint(host: "127.0.0.1", port: server.port))
        }
    }

    /// Short timeouts and reconnect delays, so that faults show within a test's bounds.
    static let node = KVRedisNodeConfiguration(
        connectTimeout: .milliseconds(300), commandTimeout: .milliseconds(300), reconnectDelay: .milliseconds(20), maxReconnectDelay: .milliseconds(100))

    /// A store on this ring, its heartbeats running (its `run()`, as a ServiceGroup would run it) while `body` runs;
    /// shut down after.
    func withStore<Result>(
        shards count: Int? = nil, hash: any KVConsistentHash = KVRendezvousHash(), onShardDown: KVRingShardDownPolicy = .reroute,
        nearCache: KVRedisNearCacheConfiguration? = nil, _ body: (KVRingStore) async throws -> Result
    ) async throws -> Result {
        try await store(shards: count, hash: hash, onShardDown: onShardDown, nearCache: nearCache).withRunning(body)
    }

    /// A store on this ring whose heartbeats do not run unless its owner runs it.
    func store(
        shards count: Int? = nil, hash: any KVConsistentHash = KVRendezvousHash(), onShardDown: KVRingShardDownPolicy = .reroute,
        nearCache: KVRedisNearCacheConfiguration? = nil
    ) throws -> KVRingStore {
        let shards = shards(count)
        var node = Self.node.with(poolSize: 2)
        node.nearCache = nearCache
        let store = try KVRingStore(options: .init(
            shards: shards, node: node, hash: hash, heartbeatInterval: .milliseconds(100), failureThreshold: 3,
            onShardDown: onShardDown))
        return store
    }

    /// A direct connection to one server, to look at what it holds.
    func probe(_ index: Int) -> RedisNodeClient {
        RedisNodeClient(
            options: RedisNodeOptions(
                connection: RedisConnectionConfiguration(endpoint: KVEndpoint(host: "127.0.0.1", port: servers[index].port), settings: Self.node),
                defaultPoolSize: 1),
            logger: KVLogging.disabled)
    }
}

extension KVRedisNodeConfiguration {
    func with(poolSize: Int) -> Self {
        var copy = self
        copy.poolSize = poolSize
        return copy
    }
}
