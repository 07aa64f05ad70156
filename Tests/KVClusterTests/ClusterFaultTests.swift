import Foundation
import KVCluster
import KVCore
import KVRedis
import KVRedisCore
import KVSoak
import KVTestSupport
import Testing

/// Resharding, failover and interoperability on clusters of the tests' own.
@Suite(.serialized) struct ClusterFaultTests {
    static func store(_ cluster: TestCluster, _ query: String = "") async throws -> KVClusterStore {
        try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: cluster.url + "?commandTimeout=500ms&connectTimeout=300ms" + query)) as! KVClusterStore
    }

    @Test func reshardingUnderLoadSurfacesNoErrors() async throws {
        let cluster = try await TestCluster.launch()
        let store = try await Self.store(cluster)
        try await withShutdown(store) { () async throws in
            let slot = KVClusterSlot.slot(for: "{moving}")
            let source = try await cluster.master(of: slot)
            var masters: [TestRedisServer] = []
            for server in cluster.servers where try await server.cli("ROLE").hasPrefix("master") { masters.append(server) }
            let target = masters.first { $0 !== source }!
            let sourceID = try await cluster.id(of: source), targetID = try await cluster.id(of: target)

            let migration = Task {
                try await Task.sleep(for: .milliseconds(400))
                try await target.cli("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", sourceID)
                try await source.cli("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", targetID)
                for _ in 0..<200 {
                    let keys = try await source.cli("CLUSTER", "GETKEYSINSLOT", "\(slot)", "20").split(separator: "\n").map(String.init)
                    if keys.isEmpty { break }
                    let arguments = ["MIGRATE", "127.0.0.1", "\(target.port)", "", "0", "5000", "KEYS"] + keys
                    _ = try await TestRedisServer.redisCli(["-p", "\(source.port)"] + arguments)
                    try await Task.sleep(for: .milliseconds(30))
                }
                for server in masters { try await server.cli("CLUSTER", "SETSLOT", "\(slot)", "NODE", targetID) }
            }
            let report = await KVSoakRunner(store: store, configuration: .init(duration: .seconds(4), tasks: 8, keys: 40, keyPrefix: "{moving}:")).run()
            try await migration.value
            let statistics = store.statistics
            print("resharding under load: \(report.summary), ASK \(statistics.ask), MOVED \(statistics.moved), retries \(statistics.retries)")
            #expect(report.errorCount == 0, "\(report.summary)")
            #expect(report.corrupt == 0 && report.missing == 0 && report.stale == 0, "\(report.summary)")
            #expect(report.ok > 500)
            #expect(statistics.ask > 0, "the test exercised ASK")
            #expect(statistics.moved > 0, "the test exercised MOVED")
            #expect(try await store.locate("{moving}:0:0").node == target.endpoint)
        }
    }

    @Test func killedMasterFailsOverAndWritesResume() async throws {
        let cluster = try await TestCluster.launch()
        let store = try await Self.store(cluster, "&retryBudget=8s")
        try await withShutdown(store) { () async throws in
            let probeKey = "{failover}:probe"
            let victim = try await cluster.master(of: KVClusterSlot.slot(for: probeKey))
            let measured = Locked<Duration?>(nil)
            let faults = Task {
                try await Task.sleep(for: .milliseconds(700))
                await victim.kill()
                let killed = ContinuousClock.now
                var resumed = false
                for i in 0..<1000 where !resumed {
                    if (try? await store.set(probeKey, Array("\(i)".utf8))) != nil { resumed = true }
                }
                measured.withLock { $0 = ContinuousClock.now - killed }
            }
            let report = await KVSoakRunner(store: store, configuration: .init(duration: .seconds(7), tasks: 8, keys: 40, keyPrefix: "{failover}:")).run()
            try await faults.value
            let gap = measured.value
            print("failover after kill -9: writes to the slot resumed after \(gap.map { "\($0)" } ?? "never"); \(report.summary)")
            #expect(gap != nil && gap! < .seconds(8), "writes resumed after \(String(describing: gap))")
            #expect(report.corrupt == 0, "\(report.summary)")
            #expect(report.writes > 100)
            // Replication is asynchronous: a few acknowledged writes may be lost (missing or stale); the count is reported above.
            #expect(report.missing + report.stale < report.writes / 10, "\(report.summary)")
        }
    }

    /// The counters soak through a kill -9 of a master, with each write confirmed by its replica (waitReplicas=1):
    /// every acknowledged increment survives the failover, and none is counted twice.
    @Test func counterSoakThroughAKill9FailoverLosesAndDuplicatesNothing() async throws {
        let cluster = try await TestCluster.launch()
        let store = try await Self.store(cluster, "&retryBudget=8s&waitReplicas=1&waitTimeout=500ms")
        try await withShutdown(store) { () async throws in
            let configuration = KVSoakRunner.Configuration(workload: .counters, duration: .seconds(7), tasks: 8, keys: 12, keyPrefix: "{counters}:")
            let victim = try await cluster.master(of: KVClusterSlot.slot(for: "{counters}"))
            let faults = Task {
                try await Task.sleep(for: .milliseconds(700))
                await victim.kill()
            }
            let report = await KVSoakRunner(store: store, configuration: configuration).run()
            try await faults.value
            let counters = try #require(report.counters)
            print("counters soak through a kill -9 failover: \(report.summary)")
            #expect(counters.lost == 0 && counters.duplicated == 0 && counters.unreadable == 0, "\(report.summary)")
            #expect(counters.acknowledged > 100, "\(report.summary)")
            #expect(try await store.locate("{counters}").node != victim.endpoint, "the slot moved to the promoted replica")
        }
    }

    /// A cluster whose clients, bus and replication all speak TLS: the store follows a kill -9 failover over TLS.
    @Test func aTLSClusterThroughAFailover() async throws {
        let tls = try await offPool { try TestTLS() }
        defer { withExtendedLifetime(tls) {} }  // its files must outlive every store that reads them
        let cluster = try await TestCluster.launch(tls: tls)
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(
            try KVConfiguration(url: cluster.tlsURL(tls) + "&commandTimeout=500ms&connectTimeout=300ms&retryBudget=8s")) as! KVClusterStore
        try await withShutdown(store) { () async throws in
            #expect(store.topology?.nodes.allSatisfy { cluster.tlsPorts.contains($0.port) } == true, "the slot map names the TLS ports")
            let victim = try await cluster.master(of: KVClusterSlot.slot(for: "{tls}"))
            let faults = Task {
                try await Task.sleep(for: .milliseconds(700))
                await victim.kill()
            }
            let report = await KVSoakRunner(store: store, configuration: .init(duration: .seconds(6), tasks: 8, keys: 40, keyPrefix: "{tls}:")).run()
            try await faults.value
            print("TLS cluster through a kill -9 failover: \(report.summary)")
            #expect(report.corrupt == 0, "\(report.summary)")
            #expect(report.writes > 100, "\(report.summary)")
            let moved = try await store.locate("{tls}").node
            #expect(moved != "127.0.0.1:\(cluster.tlsPorts[cluster.servers.firstIndex { $0 === victim }!])", "the slot moved to the promoted replica")
            #expect(try await store.set("{tls}:after", [1]), "writes work after the failover")
        }
    }

    @Test func gracefulFailoverCausesNoErrors() async throws {
        let cluster = try await TestCluster.launch()
        let store = try await Self.store(cluster)
        try await withShutdown(store) { () async throws in
            let slot = KVClusterSlot.slot(for: "{graceful}")
            let master = try await cluster.master(of: slot)
            let masterID = try await cluster.id(of: master)
            var replica: TestRedisServer?
            for server in cluster.servers where try await server.cli("CLUSTER", "NODES").contains("myself,slave \(masterID)") { replica = server }
            let chosen = try #require(replica)
            let failover = Task {
                try await Task.sleep(for: .milliseconds(500))
                try await chosen.cli("CLUSTER", "FAILOVER")
            }
            let report = await KVSoakRunner(store: store, configuration: .init(duration: .seconds(3), tasks: 8, keys: 40, keyPrefix: "{graceful}:")).run()
            try await failover.value
            #expect(try await cluster.master(of: slot) === chosen, "the replica took over")
            #expect(report.errorCount == 0, "\(report.summary)")
            #expect(report.corrupt == 0 && report.missing == 0 && report.stale == 0, "\(report.summary)")
        }
    }

    @Test func interoperatesWithRedisCli() async throws {
        let url = try await SharedCluster.url()
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: url)) as! KVClusterStore
        try await withShutdown(store) { () async throws in
            let port = store.options.seeds[0].port
            for i in 0..<20 {
                try await store.set("interop:swift:\(i)", Array("from swift \(i)".utf8))
                let read = try await TestRedisServer.redisCli(["-c", "-p", "\(port)", "GET", "interop:swift:\(i)"])
                #expect(read.trimmingCharacters(in: .newlines) == "from swift \(i)")
                _ = try await TestRedisServer.redisCli(["-c", "-p", "\(port)", "SET", "interop:cli:\(i)", "from cli \(i)"])
                #expect(try await store.get("interop:cli:\(i)") == Array("from cli \(i)".utf8))
            }
        }
    }

    @Test func replicaReadsAndConfirmedWrites() async throws {
        let url = try await SharedCluster.url()
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: url + "?readFrom=replicaPreferred&waitReplicas=1&waitTimeout=2s")) as! KVClusterStore
        try await withShutdown(store) { () async throws in
            for i in 0..<30 { try await store.set("replica:\(i)", [UInt8(i)]) }
            for i in 0..<30 { #expect(try await store.get("replica:\(i)") == [UInt8(i)], "confirmed writes are on the replica") }
            let topology = try #require(store.topology)
            let replicaCommands = topology.ranges.flatMap(\.replicas).map { store.pool(for: $0, replica: true).connections.map(\.statistics.commands).reduce(0, +) }
            #expect(replicaCommands.reduce(0, +) >= 30, "reads went to replicas: \(replicaCommands)")
        }
    }

    @Test func healthLocateAndBatches() async throws {
        let url = try await SharedCluster.url()
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: url)) as! KVClusterStore
        try await withShutdown(store) { () async throws in
            let report = try await store.health()
            #expect(report.status == .healthy)
            #expect(report.nodes.count == 6)
            #expect(report.nodes.filter { $0.role == "master" }.count == 3)
            #expect(report.nodes.filter { $0.role == "master" }.allSatisfy { $0.details["slots"]?.isEmpty == false })
            let location = try await store.locate("user:1000")
            #expect(location.slot == 1649)
            let entries = (0..<5000).map { KVEntry("batch:\($0)", Array("\($0)".utf8)) }
            try await store.batchSet(entries)
            let read = try await store.batchGet(entries.map(\.key))
            #expect(read.count == 5000 && entries.allSatisfy { read[$0.key] == $0.value })
            #expect(try await store.batchDelete(entries.map(\.key)) == 5000)
        }
    }
}

@Suite struct ClusterErrorTests {
    @Test func serverErrorsNameTheKeyAndTheNode() async throws {
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: try await SharedCluster.url())) as! KVClusterStore
        try await withShutdown(store) { () async throws in
            let key = "cluster-list:\(UUID())"
            let master = try #require(store.topology?.master(for: KVClusterSlot.slot(for: key)))
            _ = try await store.pool(for: master).send(.init("LPUSH", key, "x"))
            for read in [false, true] {
                do throws(KVError) {
                    if read { _ = try await store.batchGet([key]) } else { _ = try await store.get(key) }
                    Issue.record("GET on a list succeeded")
                } catch {
                    let failure = error.failures.first?.error ?? error
                    #expect(failure.code == .serverError)
                    #expect(failure.key == key)
                    #expect(failure.node == master.description)
                    #expect(failure.message.contains("WRONGTYPE"))
                }
            }
            _ = try await store.delete(key)
        }
    }
}
