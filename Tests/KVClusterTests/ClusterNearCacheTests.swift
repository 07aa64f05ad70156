import Foundation
import KVCluster
import KVConformance
import KVCore
import KVRedisCore
import KVSoak
import KVTestSupport
import Testing

/// The near cache on a cluster: one per master, hearing another client's writes, and flushed whenever a slot's
/// master changes (resharding, a graceful failover, a kill -9 failover), so that no entry outlives the change.
@Suite(.serialized) struct ClusterNearCacheTests {
    static func caching(_ url: String, _ query: String = "") async throws -> KVClusterStore {
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(
            try KVConfiguration(url: url + "?nearCache=on&commandTimeout=500ms&connectTimeout=300ms&retryBudget=8s" + query)) as! KVClusterStore
        #expect(await armed(store), "every master's invalidation connection subscribes")
        return store
    }

    static func plain(_ url: String) async throws -> KVClusterStore {
        try await KVBackendRegistry([KVClusterBackend()]).open(
            try KVConfiguration(url: url + "?commandTimeout=500ms&connectTimeout=300ms&retryBudget=8s")) as! KVClusterStore
    }

    static func armed(_ store: KVClusterStore) async -> Bool {
        await eventually {
            guard let nodes = try? await store.health().nodes else { return false }
            return nodes.filter { $0.role == "master" }.allSatisfy { $0.details["nearCache"] == "armed" }
        }
    }

    /// The sum of a near-cache counter over the caches (not through `health()`, which reloads the slot map).
    static func counter(_ store: KVClusterStore, _ name: String) async -> Int {
        store.nearCaches.compactMap { $0.details[name].flatMap { Int($0) } }.reduce(0, +)
    }

    static func converges(_ store: KVClusterStore, _ keys: [String], to value: [UInt8]) async -> Bool {
        await eventually(within: .seconds(10)) {
            for key in keys where (try? await store.get(key)) != .some(value) { return false }
            return true
        }
    }

    @Test(arguments: ["", "&nearCachePrefixes=ncache:"])
    func anotherClientsWritesReachEveryMastersCache(_ query: String) async throws {
        let url = try await SharedCluster.url()
        let store = try await Self.caching(url, query)
        let writer = try await Self.plain(url)
        try await store.withRunning { _ in
            try await withShutdown(writer) { () async throws in
                let keys = (0..<30).map { "ncache:\($0)" }
                #expect(Set(keys.map { store.topology?.master(for: KVClusterSlot.slot(for: $0)) }).count == 3, "the keys span every master")
                try await writer.batchSet(keys.map { KVEntry($0, [1]) })
                #expect(await Self.converges(store, keys, to: [1]))
                // With broadcast tracking, the report of the writer's own write may land after a read fetched the
                // new value, and drop it once more: wait for a pass of reads that memory serves whole.
                let served = await eventually {
                    let hits = await Self.counter(store, "nearCacheHits")
                    for key in keys where (try? await store.get(key)) != [1] { return false }
                    return await Self.counter(store, "nearCacheHits") == hits + 30
                }
                #expect(served, "served from memory")
                #expect(try await store.batchGet(keys).count == 30)
                try await writer.batchSet(keys.map { KVEntry($0, [2]) })
                #expect(await Self.converges(store, keys, to: [2]), "every master's cache heard the writes")
                _ = try await writer.batchDelete(keys)
                #expect(await eventually { (try? await store.batchGet(keys)) == [:] })
                // The caching client's own writes, on every path.
                try await store.batchSet(keys.map { KVEntry($0, [3]) })
                #expect(try await store.batchGet(keys) == Dictionary(uniqueKeysWithValues: keys.map { ($0, [3]) }))
                try await store.set(keys[0], [4])
                #expect(try await store.get(keys[0]) == [4])
                #expect(try await store.batchDelete(keys) == 30)
                #expect(try await store.get(keys[0]) == nil)
            }
        }
    }

    /// A slot moves to another master while its keys are cached, then a graceful failover and a kill -9 failover
    /// of the new owner: after each, another client's writes are read back, and each change of master flushed
    /// the caches.
    @Test func entriesNeverOutliveAReshardOrAFailover() async throws {
        let cluster = try await TestCluster.launch()
        defer { for server in cluster.servers { server.stop() } }
        let store = try await Self.caching(cluster.url)
        let writer = try await Self.plain(cluster.url)
        try await store.withRunning { _ in
            try await withShutdown(writer) { () async throws in
                var masters: [TestRedisServer] = []
                for server in cluster.servers where try await server.cli("ROLE").hasPrefix("master") { masters.append(server) }

                // An empty slot moves: no key is migrated, so no invalidation is sent. The cached absence of a
                // key must still end once another client creates the key on the new master.
                let empty = KVClusterSlot.slot(for: "{empty}")
                #expect(try await store.get("{empty}:k") == nil)
                #expect(try await store.get("{empty}:k") == nil)
                let emptySource = try await cluster.master(of: empty)
                try await Self.move(slot: empty, from: emptySource, to: masters.first { $0 !== emptySource }!, keys: [], in: cluster, masters: masters)
                try await writer.set("{empty}:k", [9])
                #expect(await Self.converges(store, ["{empty}:k"], to: [9]), "the re-read slot map ended the cached absence")

                let keys = (0..<20).map { "{moving}:\($0)" }
                let slot = KVClusterSlot.slot(for: "{moving}")
                try await writer.batchSet(keys.map { KVEntry($0, [1]) })
                #expect(await Self.converges(store, keys, to: [1]))

                // Resharding: the keys move with MIGRATE, then the slot is given to the target.
                let source = try await cluster.master(of: slot)
                let target = masters.first { $0 !== source }!
                try await Self.move(slot: slot, from: source, to: target, keys: keys, in: cluster, masters: masters)
                for key in keys { #expect(try await store.get(key) == [1], "read through the move") }
                try await writer.batchSet(keys.map { KVEntry($0, [2]) })
                #expect(await Self.converges(store, keys, to: [2]), "the target's writes are read after the move")
                #expect(try await store.locate(keys[0]).node == target.endpoint)

                // A graceful failover: the old master stays up as a replica.
                let targetReplica = try #require(try await Self.replica(of: target, in: cluster))
                let flushes = await Self.counter(store, "nearCacheFlushes")
                _ = try await targetReplica.cli("CLUSTER", "FAILOVER")
                #expect(await eventually(within: .seconds(10)) { (try? await cluster.master(of: slot)) === targetReplica })
                try await writer.batchSet(keys.map { KVEntry($0, [3]) })
                #expect(await Self.converges(store, keys, to: [3]), "the promoted replica's writes are read")
                #expect(await eventually { await Self.counter(store, "nearCacheFlushes") > flushes }, "the change of master flushed the caches")

                // A kill -9 failover of the new master.
                await targetReplica.kill()
                #expect(await eventually(within: .seconds(15)) { (try? await writer.set(keys[0], [4])) == true })
                try await writer.batchSet(keys.map { KVEntry($0, [4]) })
                #expect(await Self.converges(store, keys, to: [4]), "the next promoted replica's writes are read")
            }
        }
    }

    /// Moves `slot` as resharding does: importing and migrating states, `MIGRATE` of `keys`, then the slot given
    /// to `target` on every master.
    static func move(slot: Int, from source: TestRedisServer, to target: TestRedisServer, keys: [String], in cluster: TestCluster, masters: [TestRedisServer]) async throws {
        let sourceID = try await cluster.id(of: source), targetID = try await cluster.id(of: target)
        try await target.cli("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", sourceID)
        try await source.cli("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", targetID)
        if !keys.isEmpty {
            _ = try await TestRedisServer.redisCli(["-p", "\(source.port)", "MIGRATE", "127.0.0.1", "\(target.port)", "", "0", "5000", "KEYS"] + keys)
        }
        for server in masters { try await server.cli("CLUSTER", "SETSLOT", "\(slot)", "NODE", targetID) }
    }

    /// Without `run()` the slot map is not re-read, and the caches stop serving once its lease lapses; with it, they
    /// keep serving.
    @Test func withoutItsServiceTheCacheStopsServingWhenTheMapLeaseLapses() async throws {
        let store = try await Self.caching(try await SharedCluster.url())
        try await withShutdown(store) { () async throws in
            try await store.set("lease:k", [1])
            #expect(try await store.get("lease:k") == [1])
            #expect(await eventually {
                _ = try? await store.get("lease:k")
                return await Self.counter(store, "nearCacheHits") > 0
            })
            try await Task.sleep(for: .seconds(4))
            let hits = await Self.counter(store, "nearCacheHits")
            for _ in 0..<10 { #expect(try await store.get("lease:k") == [1]) }
            #expect(await Self.counter(store, "nearCacheHits") == hits, "no hit on an unconfirmed slot map")
            await store.refresh(force: true)
            let servesAgain = await eventually {
                _ = try? await store.get("lease:k")
                return await Self.counter(store, "nearCacheHits") > hits
            }
            #expect(servesAgain, "a reloaded map lets the caches serve again")
            // Run as a Service, the store re-reads the map every second: the lease never lapses.
            try await store.withRunning { _ in
                try await Task.sleep(for: .seconds(4))
                let served = await Self.counter(store, "nearCacheHits")
                for _ in 0..<10 { #expect(try await store.get("lease:k") == [1]) }
                #expect(await Self.counter(store, "nearCacheHits") == served + 10, "every read served from memory")
            }
        }
    }

    /// The replica that follows `master` now.
    static func replica(of master: TestRedisServer, in cluster: TestCluster) async throws -> TestRedisServer? {
        let masterID = try await cluster.id(of: master)
        for server in cluster.servers where server !== master {
            if (try? await server.cli("CLUSTER", "NODES"))?.contains("myself,slave \(masterID)") == true { return server }
        }
        return nil
    }
}

/// The whole contract on the shared cluster with the near cache on, flushed before each case.
@Suite(.serialized) struct ClusterNearCacheConformanceTests {
    static let harness = KVConformanceHarness(rawKeys: ClusterConformanceTests.harness.rawKeys) {
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(
            try KVConfiguration(url: try await SharedCluster.url() + "?nearCache=on")) as! KVClusterStore
        for master in store.topology?.masters ?? [] {
            _ = try await store.pool(for: master).send(.init("FLUSHALL"))
        }
        _ = await ClusterNearCacheTests.armed(store)
        return store
    }

    @Test(arguments: KVConformance.cases)
    func conformance(_ testCase: KVConformanceCase) async throws {
        try await testCase.run(Self.harness)
    }
}
