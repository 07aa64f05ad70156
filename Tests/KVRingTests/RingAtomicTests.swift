import KVCore
import KVRing
import KVTestSupport
import Testing

/// Contended updates and locks on the shared ring.
@Suite(.serialized) struct RingAtomicTests {
    static func store() async throws -> any KVStore {
        try await KVBackendRegistry([KVRingBackend()]).open(try KVConfiguration(url: TestServers.ringURL + "?database=2"))
    }

    /// 64 tasks × 500 updates of one key end at exactly 32,000; 32 tasks contending for one lock never overlap.
    @Test func contendedUpdatesAndLocks() async throws {
        let store = try await Self.store()
        defer { Task { await store.shutdown() } }
        #expect(try await AtomicDrills.problems(store, name: "ring") == [])
    }
}
