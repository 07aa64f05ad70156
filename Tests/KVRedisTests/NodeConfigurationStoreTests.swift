import KVCore
import KVRedis
import KVRedisConfiguration
import KVRedisCore
import KVRing
import KVTestSupport
import Testing

/// The same URL options give the same `KVRedisNodeConfiguration` on every store, and each store resolves the
/// pool size by its shape only when the configuration leaves it unset.
@Suite struct NodeConfigurationStoreTests {
    static let query = "?commandTimeout=750ms&connectTimeout=300ms&clientName=equal&batchChunkSize=64&scanCount=32"
    static let expected = KVRedisNodeConfiguration(
        clientName: "equal", connectTimeout: .milliseconds(300), commandTimeout: .milliseconds(750), batchChunkSize: 64, scanCount: 32)

    @Test func redisUnixAndRingReadTheSameOptionsIntoTheSameNodeConfiguration() async throws {
        let registry = KVBackendRegistry([KVRedisBackend(), KVRedisUnixBackend(), KVRingBackend()])
        let redis = try await registry.open(try KVConfiguration(url: TestServers.redisURL + Self.query)) as! KVRedisStore
        try await withShutdown(redis) { () async throws in
            #expect(redis.options.node == Self.expected)
            #expect(redis.client.options.poolSize == 2, "one server: 2 connections unless poolSize says otherwise")
            #expect(try await redis.get("node-configuration:absent") == nil)
        }
        let unix = try await registry.open(try KVConfiguration(url: "unix:///tmp/absent-kv.sock" + Self.query + "&poolSize=3")) as! KVRedisStore
        try await withShutdown(unix) { () async throws in
            #expect(unix.options.address == .unix(path: "/tmp/absent-kv.sock"))
            #expect(unix.options.node == Self.expected.with(poolSize: 3))
            #expect(unix.client.options.poolSize == 3)
        }
        let ring = try await registry.open(try KVConfiguration(url: TestServers.ringURL + Self.query)) as! KVRingStore
        try await withShutdown(ring) { () async throws in
            #expect(ring.options.node == Self.expected)
            #expect(ring.shards.map(\.name) == ["shard1", "shard2", "shard3"])
            #expect(try await ring.get("node-configuration:absent") == nil)
        }
    }

    @Test func aDatabaseInTheURLPathIsTheNodesDatabase() async throws {
        let store = try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: TestServers.redisURL + "/5")) as! KVRedisStore
        try await withShutdown(store) { () async throws in
            #expect(store.options.node.database == 5)
        }
    }
}

extension KVRedisNodeConfiguration {
    func with(poolSize: Int) -> Self {
        var copy = self
        copy.poolSize = poolSize
        return copy
    }
}
