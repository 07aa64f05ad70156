import KVCore
import KVRedisConfiguration
import KVRing
import KVSoak
import KVTestSupport
import Synchronization
import Testing

/// Shards really killed, paused and restarted under a ring with 100 ms heartbeats.
@Suite struct RingFailoverTests {
    /// Keys owned by shard `name` among `names` under rendezvous placement.
    static func keys(ownedBy name: String, among names: [String], count: Int) -> [String] {
        let placement = KVRendezvousHash().placement(for: names)
        return (0..<100_000).lazy.map { "k\($0)" }.filter { names[placement.shardIndex(for: $0)] == name }.prefix(count).map { $0 }
    }

    @Test func killedShardsKeysMoveToSurvivorsAndComeBack() async throws {
        let ring = try await TestRing.launch()
        try await ring.withStore { store in
            let events = store.events()
            let keys = Self.keys(ownedBy: "shard2", among: ring.names, count: 20)
            for key in keys { try await store.set(key, [1]) }
            #expect(try store.shard(for: keys[0]) == "shard2")

            await ring.servers[1].kill()
            let killed = ContinuousClock.now
            let moved = await eventually(within: .seconds(10)) {
                (try? await store.set(keys[0], [2])) == true && (try? store.shard(for: keys[0])) != "shard2"
            }
            let took = ContinuousClock.now - killed
            print("ring: a killed shard's keys were written on a survivor after \(took)")
            #expect(moved, "writes to shard2's keys succeed on a survivor (after \(took))")
            for key in keys { try await store.set(key, [3]) }
            for key in keys { #expect(try await store.get(key) == [3]) }
            let degraded = try await store.health()
            #expect(degraded.status == .degraded)
            #expect(degraded.nodes.first { $0.name == "shard2" }?.status == .unhealthy)
            #expect(store.liveShards == ["shard1", "shard3"])

            try await ring.servers[1].restart()
            #expect(await eventually(within: .seconds(3)) { store.liveShards.count == 3 })
            #expect(try store.shard(for: keys[0]) == "shard2", "placement returns to normal")
            // The heartbeat has its own connection; the shard's pool may still wait out its reconnect backoff (at most
            // maxReconnectDelay, 100 ms here) before its own health check succeeds.
            #expect(await eventually(within: .seconds(2)) { (try? await store.health().status) == .healthy })

            // Shutting down finishes the stream, so this loop reads the buffered events and ends.
            await store.shutdown()
            var seen: [KVRingEvent] = []
            for await event in events { seen.append(event) }
            #expect(seen.contains(.up(shard: "shard2")))
            #expect(seen.contains { if case .down(shard: "shard2", _) = $0 { true } else { false } })
        }
    }

    /// A watch on the ring: every shard's changes; a shard killed is a `resync`, then `ready` on the survivors,
    /// which signal the writes of its keys; its return to the ring is another `resync` then `ready`.
    @Test func aWatchResyncsWhenAShardGoesDownAndComesBack() async throws {
        let ring = try await TestRing.launch()
        try await ring.withStore { store in
            try await ring.withStore { writer in
                try await withWatch(store.watch(prefix: "k")) { log in
                    #expect(await log.waitFor { $0.first == .ready }, "ready once every shard is armed: \(log.events)")
                    let everywhere = ring.names.map { Self.keys(ownedBy: $0, among: ring.names, count: 5) }.flatMap { $0 }
                    try await writer.batchSet(everywhere.map { KVEntry($0, [1]) })
                    try await writer.set("outside", [1])
                    #expect(await log.waitFor { _ in Set(log.changedKeys()).isSuperset(of: everywhere) }, "every shard's writes")
                    #expect(log.resyncs().isEmpty && !log.changedKeys().contains("outside"), "\(log.events)")

                    let keys = Self.keys(ownedBy: "shard2", among: ring.names, count: 10)
                    func afterChange(_ name: String, value: UInt8, _ change: () async throws -> Void) async throws {
                        let start = log.count
                        try await change()
                        #expect(await log.resyncThenReady(after: start), "\(name): resync then ready: \(log.events[start...])")
                        let ready = log.count
                        #expect(await eventually(within: .seconds(10)) { (try? await writer.set(keys[0], [value])) == true })
                        try await writer.batchSet(keys.map { KVEntry($0, [value]) })
                        #expect(await log.waitFor(after: ready) { _ in Set(log.changedKeys(after: ready)).isSuperset(of: keys) }, "\(name): its keys' writes")
                        print("ring watch \(name): \(log.resyncs(after: start).map(\.description))")
                    }
                    try await afterChange("shard killed", value: 2) {
                        await ring.servers[1].kill()
                        #expect(await eventually(within: .seconds(5)) { store.liveShards == ["shard1", "shard3"] && writer.liveShards == ["shard1", "shard3"] })
                    }
                    try await afterChange("shard back", value: 3) {
                        try await ring.servers[1].restart()
                        #expect(await eventually(within: .seconds(5)) { store.liveShards.count == 3 && writer.liveShards.count == 3 })
                    }
                }
            }
        }
    }

    @Test func pausedShardIsDetectedThroughTimeouts() async throws {
        let ring = try await TestRing.launch()
        try await ring.withStore { store async throws in
            let key = Self.keys(ownedBy: "shard3", among: ring.names, count: 1)[0]
            ring.servers[2].pause()
            defer { ring.servers[2].resume() }
            let paused = ContinuousClock.now
            do throws(KVError) {
                try await store.set(key, [1])
            } catch {
                #expect(error.code == .timeout, "a call waits at most one command timeout: \(error)")
                #expect(error.node?.hasPrefix("shard3") == true)
            }
            let moved = await eventually(within: .seconds(10)) { (try? await store.set(key, [1])) == true }
            print("ring: a paused shard's key was written elsewhere after \(ContinuousClock.now - paused)")
            #expect(moved)
            #expect(try store.shard(for: key) != "shard3")
            ring.servers[2].resume()
            #expect(await eventually(within: .seconds(3)) { store.liveShards.count == 3 })
        }
    }

    @Test func heartbeatsDetectAPauseFasterThanALongCommandTimeout() async throws {
        let ring = try await TestRing.launch()
        var node = TestRing.node
        node.commandTimeout = .seconds(5)
        let store = try KVRingStore(options: .init(shards: ring.shards(), node: node, heartbeatInterval: .milliseconds(100)))
        try await store.withRunning { _ in
            ring.servers[0].pause()
            defer { ring.servers[0].resume() }
            let paused = ContinuousClock.now
            // Heartbeats of 100 ms, each bounded by the interval, find it; calls alone would need the 5 s timeout.
            #expect(await eventually(within: .seconds(4)) { store.liveShards == ["shard2", "shard3"] })
            print("ring: heartbeats found a paused shard after \(ContinuousClock.now - paused)")
        }
    }

    @Test func allShardsDownIsUnavailableNamingEachAndRecoversWithoutRestart() async throws {
        let ring = try await TestRing.launch()
        try await ring.withStore { store in
            for server in ring.servers { await server.kill() }
            #expect(await eventually(within: .seconds(3)) { store.liveShards.isEmpty })
            do throws(KVError) {
                _ = try await store.get("k")
                Issue.record("a read with every shard down succeeded")
            } catch {
                #expect(error.code == .unavailable)
                for name in ring.names { #expect(error.message.contains(name), "\(error.message)") }
            }
            for server in ring.servers { try await server.restart() }
            #expect(await eventually(within: .seconds(3)) { (try? await store.set("k", [1])) == true })
        }
    }

    @Test func failPolicyFailsFastForADownShardsKeys() async throws {
        let ring = try await TestRing.launch()
        try await ring.withStore(onShardDown: .fail) { store in
            let key = Self.keys(ownedBy: "shard1", among: ring.names, count: 1)[0]
            let other = Self.keys(ownedBy: "shard2", among: ring.names, count: 1)[0]
            await ring.servers[0].kill()
            #expect(await eventually(within: .seconds(3)) { store.liveShards.count == 2 })
            let started = ContinuousClock.now
            do throws(KVError) {
                try await store.set(key, [1])
                Issue.record("wrote a down shard's key")
            } catch {
                #expect(error.code == .unavailable)
                #expect(error.message.contains("shard1"))
            }
            // (Trying the dead shard would have given connectionFailed; `unavailable` says it was not tried.)
            print("ring: a down shard's key failed after \(ContinuousClock.now - started)")
            try await store.set(other, [1])
        }
    }

    @Test func batchPartialFailureNamesKeysAndShard() async throws {
        let ring = try await TestRing.launch()
        let store = try ring.store()
        try await withShutdown(store) { () async throws in
            let dead = Self.keys(ownedBy: "shard1", among: ring.names, count: 5)
            let alive = Self.keys(ownedBy: "shard3", among: ring.names, count: 5)
            await ring.servers[0].kill()
            do throws(KVError) {
                try await store.batchSet((dead + alive).map { KVEntry($0, [1]) })
                Issue.record("batch succeeded with a dead shard")
            } catch {
                #expect(error.code == .partialFailure)
                #expect(Set(error.failures.map(\.key)) == Set(dead))
                #expect(error.failures.allSatisfy { $0.error.node?.hasPrefix("shard1") == true })
            }
            for key in alive { #expect(try await store.get(key) == [1], "the live shard's part was written") }
        }
    }

    @Test func soakThroughAShardKillHasNoCorruption() async throws {
        let ring = try await TestRing.launch()
        try await ring.withStore { store in
            let faults = Task {
                try await Task.sleep(for: .milliseconds(500))
                await ring.servers[0].kill()
                try await Task.sleep(for: .milliseconds(800))
                try await ring.servers[0].restart()
            }
            let report = await KVSoakRunner(store: store, configuration: .init(duration: .seconds(3), tasks: 8, keys: 30)).run()
            try await faults.value
            #expect(report.corrupt == 0, "\(report.summary)")
            #expect(report.ok > 500, "\(report.summary)")
            #expect(report.maxGapMs < 1500, "\(report.summary)")
        }
    }

    /// Without run(), calls are the heartbeats: a killed shard goes down after 3 failed calls, its keys move to
    /// the survivors, and once it is back a call's probe brings it up again.
    @Test func withoutRunCallsDetectDownAndUpShards() async throws {
        let ring = try await TestRing.launch()
        let store = try ring.store()
        try await withShutdown(store) { () async throws in
            let key = Self.keys(ownedBy: "shard1", among: ring.names, count: 1)[0]
            try await store.set(key, [1])
            await ring.servers[0].kill()
            var failures = 0
            for _ in 0..<3 {
                do { try await store.set(key, [2]) } catch { failures += 1 }
            }
            #expect(failures == 3, "each call to the dead shard fails until the threshold")
            #expect(store.liveShards == ["shard2", "shard3"])
            #expect(try await store.set(key, [3]), "rerouted to a survivor")
            #expect(try store.shard(for: key) != "shard1")
            try await ring.servers[0].restart()
            #expect(await eventually(within: .seconds(3)) {
                _ = try? await store.get("any")
                return store.liveShards.count == 3
            }, "a call probed the shard once it was back")
            #expect(try store.shard(for: key) == "shard1")
        }
    }
}
