import KVCore
import KVCluster
import KVTestSupport
import Testing

/// Contended updates and locks on the shared cluster.
@Suite(.serialized) struct ClusterAtomicTests {
    static func store() async throws -> any KVStore {
        try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: try await SharedCluster.url()))
    }

    /// 64 tasks × 500 updates of one key end at exactly 32,000; 32 tasks contending for one lock never overlap.
    @Test func contendedUpdatesAndLocks() async throws {
        let store = try await Self.store()
        defer { Task { await store.shutdown() } }
        #expect(try await AtomicDrills.problems(store, name: "cluster") == [])
    }
}
