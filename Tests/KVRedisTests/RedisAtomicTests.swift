import KVCore
import KVRedis
import KVTestSupport
import Testing

/// Contended updates and locks on one real Redis.
@Suite(.serialized) struct RedisAtomicTests {
    static func store() async throws -> any KVStore {
        let store = try await KVBackendRegistry([RedisBackend()]).open(try KVConfiguration(url: TestServers.redisURL + "/2"))
        _ = try await store.batchDelete(try await store.list(prefix: "atomic:").collect())
        _ = try await store.batchDelete(try await store.list(prefix: "kvlock:").collect())
        return store
    }

    @Test func contendedUpdatesLoseNothing() async throws {
        let store = try await Self.store()
        defer { Task { await store.shutdown() } }
        let (count, seconds) = try await AtomicDrills.updateCounter(store, key: "atomic:counter")
        #expect(count == 32_000)
        print("redis: 64 × 500 updates of one key in \(seconds) s")
    }

    @Test func lockHoldersNeverOverlapAndTokensIncrease() async throws {
        let store = try await Self.store()
        defer { Task { await store.shutdown() } }
        let report = try await AtomicDrills.contendForLock(store, name: "atomic:lock")
        #expect(report.overlaps == 0, "\(report)")
        #expect(report.acquisitions == 160)
        #expect(report.tokensIncrease, "\(report)")
    }
}
