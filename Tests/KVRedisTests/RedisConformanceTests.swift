import KVConformance
import KVCore
import KVRedis
import KVRedisCore
import KVTestSupport
import Testing

/// The whole contract against a real redis-server, database 1, flushed before each case.
@Suite(.serialized) struct RedisConformanceTests {
    static let harness = KVConformanceHarness(rawKeys: KVRawKeyAccess(
        write: { store, key, value in _ = try await (store as! KVRedisStore).pool.send(RedisCommand(raw: "SET", key, value)).orThrow(node: "redis") },
        read: { store, key in try await (store as! KVRedisStore).pool.send(RedisCommand(raw: "GET", key)).orThrow(node: "redis").bytes }
    )) {
        let store = try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: TestServers.redisURL + "/1"))
        _ = try await (store as! KVRedisStore).pool.send(.init("FLUSHDB"))
        return store
    }

    @Test(arguments: KVConformance.cases)
    func conformance(_ testCase: KVConformanceCase) async throws {
        try await testCase.run(Self.harness)
    }
}
