import KVConformance
import KVCore
import KVRedisCore
import KVRing
import KVTestSupport
import Testing

/// The whole contract on a ring of three real shards (the shared ones from scripts/, or the test's own).
@Suite(.serialized) struct RingConformanceTests {
    static let harness = KVConformanceHarness(rawKeys: KVRawKeyAccess(
        write: { store, key, value in _ = try await onOwner(store, key, RedisCommand(raw: "SET", key, value)) },
        read: { store, key in try await onOwner(store, key, RedisCommand(raw: "GET", key)).bytes }
    )) {
        let store = try await KVBackendRegistry([KVRingBackend()]).open(try KVConfiguration(url: TestServers.ringURL + "?database=1")) as! KVRingStore
        _ = try await store.forEachShard { (_, shard) throws(KVError) in try await shard.pool.send(.init("FLUSHDB")) }
        return store
    }

    /// Sends `command` straight to the shard that owns `key` (given as bytes).
    static func onOwner(_ store: any KVStore, _ key: [UInt8], _ command: RedisCommand) async throws -> RedisReply {
        let ring = store as! KVRingStore
        let owner = try ring.shard(forBytes: key)!
        let replies = try await ring.forEachShard { (name, shard) throws(KVError) -> RedisReply? in
            name == owner ? try await shard.pool.send(command).orThrow(node: name) : nil
        }
        return replies[owner]!!
    }

    @Test(arguments: KVConformance.cases)
    func conformance(_ testCase: KVConformanceCase) async throws {
        try await testCase.run(Self.harness)
    }
}
