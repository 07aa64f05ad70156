import Foundation
import KVCore

import KVRing
import KVTestSupport
import ServiceLifecycle
import Logging
import Testing
import KVRedisCore

@Suite struct RingOperationsTests {
    @Test func keysLiveOnTheirShardAndBatchesReassemble() async throws {
        let ring = try await TestRing.launch()
        try await ring.withStore { store in
            let entries = (0..<3000).map { KVEntry("item:\($0)", Array("v\($0)".utf8)) }
            try await store.batchSet(entries)
            let read = try await store.batchGet(entries.map(\.key) + ["missing"])
            #expect(read.count == 3000)
            #expect(entries.allSatisfy { read[$0.key] == $0.value })
            let counts = try await store.forEachShard { (_, shard) throws(KVError) in
                try await shard.pool.send(.init("DBSIZE")).integer ?? -1
            }
            #expect(counts.values.reduce(0, +) == 3000)
            #expect(counts.values.allSatisfy { $0 > 700 }, "spread over the shards: \(counts)")
            let probe = ring.probe(1)
            defer { probe.close() }
            for key in entries.prefix(200).map(\.key) {
                let onShard2 = try await probe.contains(key)
                #expect(onShard2 == (try store.shard(for: key) == "shard2"))
            }
            #expect(try await store.batchDelete(entries.map(\.key)) == 3000)
        }
    }

    @Test func rebalanceAfterAddingAFourthShard() async throws {
        let ring = try await TestRing.launch(4)
        try await ring.withStore(shards: 3) { store in
            let entries = (0..<4000).map { KVEntry("rb:\($0)", Array("value-\($0)".utf8)) }
            try await store.batchSet(entries)
            // A key with a TTL that must move (owned by shard4 after the change).
            let movingKey = (0..<1000).map { "rb:ttl:\($0)" }.first { KVRendezvousHash().placement(for: ring.names).shardIndex(for: $0) == 3 }!
            try await store.set(movingKey, [1], options: .ttl(.seconds(100)))
            try store.setShards(ring.shards(4))
            let progress = Locked<[KVRingRebalanceProgress]>([])
            let report = try await store.rebalance { step in progress.withLock { $0.append(step) } }
            #expect(try store.shard(for: movingKey) == "shard4")
            #expect(report.scanned >= 4001)
            #expect(report.moved > 600 && report.moved < 1500, "about a quarter moves: \(report)")
            #expect(report.movedFrom.keys.allSatisfy { $0 != "shard4" })
            #expect(!progress.value.isEmpty)
            let read = try await store.batchGet(entries.map(\.key))
            #expect(read.count == 4000)
            #expect(entries.allSatisfy { read[$0.key] == $0.value })
            // Every key sits on its owner only.
            let sizes = try await store.forEachShard { (_, shard) throws(KVError) in try await shard.pool.send(.init("DBSIZE")).integer ?? -1 }
            #expect(sizes.values.reduce(0, +) == 4001, "no copies left behind: \(sizes)")
            let probe = ring.probe(3)
            defer { probe.close() }
            for entry in entries.prefix(300) {
                #expect(try await probe.contains(entry.key) == (try store.shard(for: entry.key) == "shard4"))
            }
            let left = try await store.ttl(movingKey).remaining
            #expect(left != nil && left! > .seconds(90), "TTL kept wherever the key went: \(String(describing: left))")
        }
    }

    @Test func setShardsDoesNotDropInFlightCalls() async throws {
        let ring = try await TestRing.launch(4)
        try await ring.withStore(shards: 3) { store in
            let errors = Locked(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<16 {
                    group.addTask {
                        for i in 0..<100 {
                            do { try await store.set("inflight:\(task):\(i)", [1]) } catch { errors.withLock { $0 += 1 } }
                        }
                    }
                }
                group.addTask {
                    for round in 0..<6 {
                        try await Task.sleep(for: .milliseconds(20))
                        try store.setShards(ring.shards(round % 2 == 0 ? 4 : 3))
                    }
                }
                try await group.waitForAll()
            }
            #expect(errors.value == 0)
        }
    }

    @Test func runsAsAServiceAndStopsOnGracefulShutdown() async throws {
        let ring = try await TestRing.launch()
        let store = try ring.store()
        let group = ServiceGroup(configuration: .init(services: [store], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await ring.servers[0].kill()
            #expect(await eventually(within: .seconds(3)) { store.liveShards.count == 2 }, "the service's heartbeat runs")
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        await store.shutdown()
    }

    @Test func ringURLOptions() async throws {
        let registry = KVBackendRegistry([KVRingBackend()])
        for url in ["ring://a=127.0.0.1:1?hash=nope", "ring://127.0.0.1:1", "ring://a=127.0.0.1:1,a=127.0.0.1:2", "ring://a=127.0.0.1:1?onShardDown=maybe"] {
            do {
                _ = try await registry.open(try KVConfiguration(url: url))
                Issue.record("opened \(url)")
            } catch {
                #expect(error.code == .invalidConfiguration, "\(url): \(error)")
            }
        }
        let store = try await registry.open(try KVConfiguration(url: "ring://a=127.0.0.1:1,b=127.0.0.1:2?hash=jump&heartbeat=1s")) as! KVRingStore
        #expect(store.options.hash is KVJumpConsistentHash)
        #expect(try await store.locate("x").node == (try store.shard(for: "x")))
        await store.shutdown()
    }

    /// After every shard's idle timeout closed the pooled connections, the next calls all succeed: the stale
    /// connection is noticed before a command is written (the heartbeat is slowed so it keeps nothing warm).
    @Test func connectionsClosedByIdleShardsCostNothing() async throws {
        let ring = try await TestRing.launch(3)
        let store = try KVRingStore(options: .init(shards: ring.shards(), heartbeatInterval: .seconds(30)))
        try await withShutdown(store) { () async throws in
            for server in ring.servers { _ = try await server.cli("CONFIG", "SET", "timeout", "1") }
            let keys = (0..<30).map { "idle:\($0)" }
            try await store.batchSet(keys.map { KVEntry($0, [1]) })
            try await Task.sleep(for: .seconds(3))
            var created = 0
            for key in keys where try await store.set(key + ":new", [2], options: KVSetOptions(condition: .onlyIfAbsent)) { created += 1 }
            #expect(created == keys.count)
        }
    }
}
