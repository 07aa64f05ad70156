import KVCore
import KVRedis
import KVTestSupport
import Testing

/// Contended updates and locks on one real Redis.
@Suite(.serialized) struct RedisAtomicTests {
    static func store() async throws -> any KVStore {
        try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: TestServers.redisURL + "/2"))
    }

    /// Cache-aside on this store: a stampede of 1,000 callers runs one load, stale values, tags, cancellation.
    @Test func cacheAsideDrills() async throws {
        let store = try await Self.store()
        let problems = try await CacheAsideDrills.problems(store, name: "redis")
        await store.shutdown()
        #expect(problems.isEmpty, "\(problems)")
    }

    /// 64 tasks × 500 updates of one key end at exactly 32,000; 32 tasks contending for one lock never overlap.
    @Test func contendedUpdatesAndLocks() async throws {
        let store = try await Self.store()
        try await withShutdown(store) { () async throws in
            #expect(try await AtomicDrills.problems(store, name: "redis") == [])
        }
    }

    @Test func aLockExpiresUnlessRenewed() async throws {
        let store = try await Self.store()
        try await withShutdown(store) { () async throws in
            let lock = KVLock(name: "atomic:expiry", store: store, ttl: .milliseconds(400))
            let first = try #require(try await lock.acquire())
            try await Task.sleep(for: .milliseconds(250))
            #expect(try await first.renew(), "renewed before expiry")
            try await Task.sleep(for: .milliseconds(250))
            #expect(try await lock.acquire() == nil, "the renewal kept it past the first TTL")
            let second = try #require(try await lock.acquire(timeout: .seconds(2)), "taken once the renewed TTL ran out")
            #expect(second.fencingToken > first.fencingToken)
            #expect(try await first.renew() == false, "the old lease cannot renew")
            #expect(try await first.release() == false, "nor release the new holder's lock")
            #expect(try await second.release())
        }
    }
}
