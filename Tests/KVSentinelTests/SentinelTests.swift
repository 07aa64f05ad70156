import Foundation
import KVConformance
import KVCore
import KVSentinel
import KVSoak
import KVTestSupport
import Testing

/// A master, two replicas and three real sentinels.
@Suite(.serialized) struct SentinelTests {
    static func open(_ group: TestSentinelGroup, _ query: String = "") async throws -> KVSentinelStore {
        try await KVBackendRegistry([KVSentinelBackend()]).open(
            try KVConfiguration(url: group.url + "?commandTimeout=500ms&connectTimeout=300ms" + query)) as! KVSentinelStore
    }

    @Test func theContractHoldsThroughSentinel() async throws {
        let group = try await TestSentinelGroup.launch()
        let harness = KVConformanceHarness {
            let store = try await Self.open(group)
            _ = try await store.batchDelete(try await store.list().collect())
            return store
        }
        for testCase in KVConformance.cases where !testCase.name.contains("not UTF-8") {
            try await testCase.run(harness)
        }
    }

    @Test func healthListsMasterReplicasAndSentinels() async throws {
        let group = try await TestSentinelGroup.launch()
        let store = try await Self.open(group, "&readFrom=replicaPreferred")
        try await withShutdown(store) { () async throws in
            try await store.set("k", [1])
            let health = try await store.health()
            let roles = health.nodes.compactMap(\.role)
            #expect(health.status == .healthy, "\(health)")
            #expect(roles.filter { $0 == "master" }.count == 1 && roles.filter { $0 == "replica" }.count == 2 && roles.filter { $0 == "sentinel" }.count == 3, "\(roles)")
            #expect(try await store.locate("k").node == "127.0.0.1:\(group.master.port)")
            let read = try await eventually(within: .seconds(2)) { try await store.get("k") == [1] }
            var seen: [String] = []
            for replica in group.replicas { seen.append(try await replica.cli("GET", "k")) }
            let now = try await store.get("k")
            #expect(read, "a replica read sees the write once replicated: \(String(describing: now)) \(seen)")
        }
    }

    @Test func sentinelsThatRequireAPassword() async throws {
        let group = try await TestSentinelGroup.launch(sentinelPassword: "s3ntinel-pw")
        let store = try await Self.open(group, "&sentinelPassword=s3ntinel-pw")
        try await withShutdown(store) { () async throws in
            #expect(try await store.set("k", [1]))
            #expect(try await store.health().status == .healthy)
            let refused = try await Self.open(group, "&retryBudget=200ms")
            try await withShutdown(refused) { () async throws in
                await #expect {
                    _ = try await refused.get("k")
                } throws: { error in
                    let message = "\(error)"
                    return (error as? KVError)?.code == .authenticationFailed && message.contains("authentication failed") && !message.contains("s3ntinel-pw")
                }
            }
        }
    }

    /// A frozen sentinel: the periodic check before a write asks every sentinel with a short bound and lets the
    /// other writes go on, so writes keep flowing (a check waiting the 3 s command timeout would stall them).
    @Test func aFrozenSentinelDoesNotHoldUpWrites() async throws {
        let group = try await TestSentinelGroup.launch()
        let store = try await KVBackendRegistry([KVSentinelBackend()]).open(try KVConfiguration(url: group.url + "?commandTimeout=3s"))
        try await store.set("k", [0])
        group.sentinels[0].pause()
        defer { group.sentinels[0].resume() }
        var slowest = Duration.zero
        let end = ContinuousClock.now + .seconds(3)
        var writes = 0
        while ContinuousClock.now < end {
            let start = ContinuousClock.now
            try await store.set("k", [UInt8(truncatingIfNeeded: writes)])
            slowest = max(slowest, ContinuousClock.now - start)
            writes += 1
        }
        await store.shutdown()
        print("writes with a frozen sentinel: \(writes) in 3 s, the slowest took \(slowest)")
        #expect(slowest < .seconds(2), "a write waited \(slowest) on a frozen sentinel")
    }

    /// kill -9 of the master under the soak: the store follows the sentinels to the promoted replica.
    @Test func followsAKilledMaster() async throws {
        try await failover { group in await group.master.kill() }
    }

    /// The soak through a killed master with the near cache on: no stale or corrupt read (the soak checks every
    /// value it reads against what it acknowledged), and another client's writes reach the cache on the new master.
    @Test func followsAKilledMasterWithTheNearCacheOn() async throws {
        try await failover(query: "&nearCache=on") { group in await group.master.kill() }
        let group = try await TestSentinelGroup.launch()
        let store = try await Self.open(group, "&nearCache=on&readFrom=replicaPreferred")
        let writer = try await Self.open(group)
        try await withShutdown(store) { () async throws in
            try await withShutdown(writer) { () async throws in
                try await writer.set("near", [1])
                #expect(await eventually { (try? await store.get("near")) == [1] })
                try await writer.set("near", [2])
                #expect(await eventually { (try? await store.get("near")) == [2] }, "a replica's cache hears the replicated write")
                let details = try await store.health().nodes.filter { $0.role != "sentinel" }.map { $0.details["nearCache"] ?? "none" }
                #expect(details.allSatisfy { $0 == "armed" }, "\(details)")
            }
        }
    }

    /// A watch feed through a killed master: `resync` when its connection drops, `ready` once the store follows the
    /// sentinels to the new master, and the new master's changes are signalled.
    @Test func aWatchFollowsTheMasterThroughAFailover() async throws {
        let group = try await TestSentinelGroup.launch()
        let store = try await Self.open(group)
        let writer = try await Self.open(group)
        try await store.withRunning { _ in
            try await withShutdown(writer) { () async throws in
                try await withWatch(store.watch(prefix: "sw:")) { log in
                    #expect(await log.waitFor { $0.first == .ready }, "ready once the master is known: \(log.events)")
                    try await writer.set("sw:before", [1])
                    #expect(await log.waitFor { $0.contains(.changed("sw:before")) })
                    let oldMaster = group.master.port
                    let start = log.count
                    await group.master.kill()
                    #expect(await log.resyncThenReady(after: start, within: .seconds(30)), "resync then ready: \(log.events[start...])")
                    #expect(try await store.locate("k").node != "127.0.0.1:\(oldMaster)")
                    let ready = log.count
                    #expect(await eventually(within: .seconds(15)) { (try? await writer.set("sw:after", [2])) == true })
                    #expect(await log.waitFor(after: ready) { $0.contains(.changed("sw:after")) }, "the new master's changes")
                    print("sentinel watch: \(log.resyncs(after: start).map(\.description))")
                }
            }
        }
    }

    /// SIGSTOP of the master under the soak: the sentinels promote a replica, and the store leaves the frozen master.
    @Test func followsAFrozenMaster() async throws {
        try await failover { group in group.master.pause() }
    }

    private func failover(query: String = "", _ fault: @escaping @Sendable (TestSentinelGroup) async -> Void) async throws {
        let group = try await TestSentinelGroup.launch()
        defer { group.master.resume() }
        let store = try await Self.open(group, query)
        try await store.withRunning { _ in
            let oldMaster = group.master.port
            let timeline = Locked<(named: ContinuousClock.Instant?, resumed: ContinuousClock.Instant?)>((nil, nil))
            let probe = Task {
                try await Task.sleep(for: .milliseconds(700))
                let faulted = ContinuousClock.now
                await fault(group)
                // When the sentinels themselves name another master, and when a write first succeeds after that.
                for _ in 0..<300 {
                    if let port = try await group.namedMaster(), port != oldMaster { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let named = ContinuousClock.now
                timeline.withLock { $0.named = named }
                for i in 0..<1000 {
                    if (try? await store.set("probe", Array("\(i)".utf8))) == true { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                timeline.withLock { $0.resumed = .now }
                print("sentinels named a new master \(named - faulted) after the fault")
            }
            let report = await KVSoakRunner(store: store, configuration: .init(duration: .seconds(10), tasks: 8, keys: 40)).run()
            try await probe.value
            let (named, resumed) = timeline.value
            let gap = resumed.flatMap { resumed in named.map { resumed - $0 } }
            print("sentinel failover: writes resumed \(gap.map { "\($0)" } ?? "never") after the sentinels named the new master; \(report.summary)")
            #expect(report.corrupt == 0, "\(report.summary)")
            // Without following the sentinels the store would wait for an error or the 10 s refresh.
            #expect(gap != nil && gap! <= .seconds(5), "writes resumed \(String(describing: gap)) after the sentinels named the new master")
            #expect(try await store.locate("k").node != "127.0.0.1:\(oldMaster)")
        }
    }
}
