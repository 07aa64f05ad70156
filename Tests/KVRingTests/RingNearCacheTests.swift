import KVConformance
import KVCore
import KVRedisConfiguration
import KVRedisCore
import KVRing
import KVTestSupport
import Testing

/// The near cache on a ring: one per shard, flushed whenever the membership changes.
@Suite struct RingNearCacheTests {
    static func armed(_ store: KVRingStore) async -> Bool {
        await eventually { (try? await store.health().nodes.allSatisfy { $0.details["nearCache"] == "armed" }) == true }
    }

    @Test func writesFromAnotherClientReachEveryShardsCacheThroughAShardGoingDownAndBack() async throws {
        let ring = try await TestRing.launch()
        try await ring.withStore(nearCache: KVRedisNearCacheConfiguration()) { store in
            try await ring.withStore { writer in
                #expect(await Self.armed(store), "every shard's invalidation connection subscribes")
                let keys = (0..<30).map { "near:\($0)" }
                for key in keys { try await writer.set(key, [1]) }
                for key in keys { #expect(await eventually { (try? await store.get(key)) == [1] }) }
                for key in keys { try await writer.set(key, [2]) }
                for key in keys { #expect(await eventually { (try? await store.get(key)) == [2] }, "another client's write reaches the cache of \(key)'s shard") }

                let moved = keys.filter { (try? store.shard(for: $0)) == "shard2" }
                #expect(!moved.isEmpty)
                await ring.servers[1].kill()
                #expect(await eventually(within: .seconds(10)) { store.liveShards == ["shard1", "shard3"] && writer.liveShards == ["shard1", "shard3"] })
                // shard2's keys now live on survivors: written there and read from their caches.
                for key in moved { try await writer.set(key, [3]) }
                for key in moved { #expect(await eventually { (try? await store.get(key)) == [3] }) }
                for key in moved { #expect(try await store.get(key) == [3]) }

                try await ring.servers[1].restart()
                #expect(await eventually(within: .seconds(5)) { store.liveShards.count == 3 && writer.liveShards.count == 3 })
                // Back on the restarted (empty) shard2: nothing the survivors cached for these keys is served.
                for key in moved { #expect(await eventually { (try? await store.get(key)) == .some(nil) }) }
                for key in moved { try await writer.set(key, [4]) }
                for key in moved { #expect(await eventually { (try? await store.get(key)) == [4] }) }
                let flushes = try await store.health().nodes.compactMap { Int($0.details["nearCacheFlushes"] ?? "") }
                #expect(flushes.count == 3 && flushes.allSatisfy { $0 >= 2 }, "every shard's cache was flushed at the down and the up: \(flushes)")
            }
        }
        for server in ring.servers { server.stop() }
    }
}

/// The whole contract on the shared ring with the near cache on, database 4.
@Suite(.serialized) struct RingNearCacheConformanceTests {
    static let harness = KVConformanceHarness(rawKeys: KVRawKeyAccess(
        write: { store, key, value in _ = try await RingConformanceTests.onOwner(store, key, RedisCommand(raw: "SET", key, value)) },
        read: { store, key in try await RingConformanceTests.onOwner(store, key, RedisCommand(raw: "GET", key)).bytes }
    )) {
        let store = try await KVBackendRegistry([KVRingBackend()]).open(try KVConfiguration(url: TestServers.ringURL + "?database=4&nearCache=on")) as! KVRingStore
        _ = try await store.forEachShard { (_, shard) throws(KVError) in try await shard.pool.send(.init("FLUSHDB")) }
        _ = await RingNearCacheTests.armed(store)
        return store
    }

    @Test(arguments: KVConformance.cases)
    func conformance(_ testCase: KVConformanceCase) async throws {
        try await testCase.run(Self.harness)
    }
}
