import KVCore
import KVCluster
import KVTestSupport
import Testing

/// Contended updates and locks on the shared cluster.
@Suite(.serialized) struct ClusterAtomicTests {
    static func store() async throws -> any KVStore {
        try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: try await SharedCluster.url()))
    }

    /// Cache-aside on this store: a stampede of 1,000 callers runs one load, stale values, tags, cancellation.
    @Test func cacheAsideDrills() async throws {
        let store = try await Self.store()
        let problems = try await CacheAsideDrills.problems(store, name: "cluster")
        await store.shutdown()
        #expect(problems.isEmpty, "\(problems)")
    }

    /// 64 tasks × 500 updates of one key end at exactly 32,000; 32 tasks contending for one lock never overlap.
    @Test func contendedUpdatesAndLocks() async throws {
        let store = try await Self.store()
        try await withShutdown(store) { () async throws in
            #expect(try await AtomicDrills.problems(store, name: "cluster") == [])
        }
    }
}
