import KVConformance
import KVCore
import KVRing
import KVTestSupport
import Testing

/// The whole contract on a ring of three real shards (the shared ones from scripts/, or the test's own).
@Suite(.serialized) struct RingConformanceTests {
    static let harness = KVConformanceHarness {
        let store = try await KVBackendRegistry([KVRingBackend()]).open(try KVConfiguration(url: TestServers.ringURL + "?database=1")) as! KVRingStore
        _ = try await store.forEachShard { (_, shard) throws(KVError) in try await shard.pool.send(.init("FLUSHDB")) }
        return store
    }

    @Test(arguments: KVConformance.cases)
    func conformance(_ testCase: KVConformanceCase) async throws {
        try await testCase.run(Self.harness)
    }
}
