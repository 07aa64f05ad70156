import KVCluster
import KVCore
import KVTestSupport
import Testing

/// The watch feed on a cluster: every master's changes, and a `resync` then `ready` after a reshard, a graceful
/// failover and a kill -9 failover, with the new master's changes signalled after each.
@Suite(.serialized) struct ClusterWatchTests {
    @Test func everyMastersChangesAndAResyncAfterEachChangeOfTopology() async throws {
        let cluster = try await TestCluster.launch()
        defer { for server in cluster.servers { server.stop() } }
        let store = try await ClusterNearCacheTests.plain(cluster.url)
        let writer = try await ClusterNearCacheTests.plain(cluster.url)
        try await store.withRunning { _ in
            try await withShutdown(writer) { () async throws in
                // The empty prefix: every key.
                try await withWatch(store.watch(prefix: "")) { log in
                    #expect(await log.waitFor { $0.first == .ready }, "ready once every master is armed: \(log.events)")
                    var masters: [TestRedisServer] = []
                    for server in cluster.servers where try await server.cli("ROLE").hasPrefix("master") { masters.append(server) }

                    let spread = (0..<30).map { "cw:\($0)" }
                    #expect(Set(spread.map { store.topology?.master(for: KVClusterSlot.slot(for: $0)) }).count == 3, "the keys span every master")
                    try await writer.batchSet(spread.map { KVEntry($0, [1]) })
                    #expect(await log.waitFor { _ in Set(log.changedKeys()).isSuperset(of: spread) }, "every master's writes")
                    #expect(log.resyncs().isEmpty, "no resync without a fault: \(log.resyncs())")

                    let keys = (0..<20).map { "{moving}:\($0)" }
                    let slot = KVClusterSlot.slot(for: "{moving}")
                    try await writer.batchSet(keys.map { KVEntry($0, [1]) })

                    func afterChange(_ name: String, value: UInt8, _ change: () async throws -> Void) async throws {
                        let start = log.count
                        try await change()
                        #expect(await log.resyncThenReady(after: start, within: .seconds(30)), "\(name): resync then ready: \(log.events[start...])")
                        let ready = log.count
                        #expect(await eventually(within: .seconds(15)) { (try? await writer.set(keys[0], [value])) == true })
                        try await writer.batchSet(keys.map { KVEntry($0, [value]) })
                        #expect(await log.waitFor(after: ready) { _ in Set(log.changedKeys(after: ready)).isSuperset(of: keys) }, "\(name): the new master's writes")
                        print("cluster watch \(name): \(log.resyncs(after: start).map(\.description))")
                    }

                    let source = try await cluster.master(of: slot)
                    let target = masters.first { $0 !== source }!
                    try await afterChange("reshard", value: 2) {
                        try await ClusterNearCacheTests.move(slot: slot, from: source, to: target, keys: keys, in: cluster, masters: masters)
                    }
                    let targetReplica = try #require(try await ClusterNearCacheTests.replica(of: target, in: cluster))
                    try await afterChange("graceful failover", value: 3) {
                        _ = try await targetReplica.cli("CLUSTER", "FAILOVER")
                        #expect(await eventually(within: .seconds(10)) { (try? await cluster.master(of: slot)) === targetReplica })
                    }
                    try await afterChange("kill -9 of a master", value: 4) { await targetReplica.kill() }
                }
            }
        }
    }
}
