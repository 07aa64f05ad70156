import Foundation
import KVCluster
import KVConformance
import KVCore
import KVRedis
import KVRedisCore
import KVTestSupport
import Testing

/// The whole contract on a real cluster of 3 masters and 3 replicas, flushed before each case.
@Suite(.serialized) struct ClusterConformanceTests {
    static let harness = KVConformanceHarness(rawKeys: KVRawKeyAccess(
        write: { store, key, value in _ = try await onOwner(store, key, RedisCommand(raw: "SET", key, value)) },
        read: { store, key in try await onOwner(store, key, RedisCommand(raw: "GET", key)).bytes }
    )) {
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: try await SharedCluster.url())) as! KVClusterStore
        for master in store.topology?.masters ?? [] {
            _ = try await store.pool(for: master).send(.init("FLUSHALL"))
        }
        return store
    }

    /// Sends `command` straight to the master of the slot of `key` (given as bytes).
    static func onOwner(_ store: any KVStore, _ key: [UInt8], _ command: RedisCommand) async throws -> RedisReply {
        let cluster = store as! KVClusterStore
        let master = try #require(cluster.topology?.master(for: KVClusterSlot.slot(forBytes: key)))
        return try await cluster.pool(for: master).send(command).orThrow(node: master.description)
    }

    @Test(arguments: KVConformance.cases)
    func conformance(_ testCase: KVConformanceCase) async throws {
        try await testCase.run(Self.harness)
    }
}

/// The shared cluster from scripts/ (`KV_TEST_CLUSTER`), or one of this process's own.
enum SharedCluster {
    static let own = Locked<TestCluster?>(nil)

    static func url() async throws -> String {
        if let url = ProcessInfo.processInfo.environment["KV_TEST_CLUSTER"], !url.isEmpty { return url }
        if let cluster = own.value { return cluster.url }
        let cluster = try await TestCluster.launch()
        own.withLock { $0 = cluster }
        atexit { SharedCluster.own.value?.servers.forEach { $0.stop() } }
        return cluster.url
    }
}
