import KVCore
import KVHealthMonitor
import KVMemory
import KVTestSupport
import Logging
import MetricsTestKit
import Testing

/// The library's health monitor: status changes per store and node, gauges, and an end at shutdown.
@Suite struct HealthMonitorTests {
    @Test func publishesEachChangeAndRecordsGauges() async throws {
        let store = ScriptedHealthStore(statuses: [.healthy, .healthy, .degraded, .unhealthy, .healthy])
        let metrics = TestMetrics()
        let monitor = KVHealthMonitor(store: store, interval: .milliseconds(5), limit: 5, metrics: metrics)
        let changes = monitor.changes()
        try await monitor.run()
        var seen: [String] = []
        for await change in changes { seen.append("\(change.node ?? "store") \(change.from?.rawValue ?? "-")>\(change.to.rawValue)") }
        #expect(seen == [
            "store ->healthy", "node-a ->healthy",
            "store healthy>degraded", "node-a healthy>degraded",
            "store degraded>unhealthy", "node-a degraded>unhealthy",
            "store unhealthy>healthy", "node-a unhealthy>healthy",
        ], "\(seen)")
        #expect(monitor.latest?.status == .healthy)
        let gauge = try metrics.expectGauge("kv_node_healthy", [("store", "scripted"), ("node", "node-a")])
        #expect(gauge.values == [1, 1, 0.5, 0, 1])
        #expect(try metrics.expectGauge("kv_node_latency_seconds", [("store", "scripted"), ("node", "node-a")]).values.count == 5)
    }

    /// A fall and the recovery from it are both logged at info; the first healthy report is not.
    @Test func logsTheFallAndTheRecovery() async throws {
        let logs = CapturedLogs()
        let store = ScriptedHealthStore(statuses: [.healthy, .unhealthy, .healthy])
        let monitor = KVHealthMonitor(store: store, interval: .milliseconds(5), limit: 3, logger: logs.logger(level: .info))
        try await monitor.run()
        let lines = logs.messages.filter { $0.contains("health") }
        #expect(lines.filter { $0 == "info health changed" }.count == 2, "the store and its node fell: \(lines)")
        #expect(lines.filter { $0 == "info health recovered" }.count == 2, "the store and its node recovered: \(lines)")
        #expect(lines.count == 4, "\(lines)")
    }

    @Test func aFailingCheckCountsAsUnhealthy() async throws {
        let store = KVMemoryStore()
        await store.shutdown()
        let monitor = KVHealthMonitor(store: store, interval: .milliseconds(5), limit: 1)
        let changes = monitor.changes()
        try await monitor.run()
        var seen: [KVHealthChange] = []
        for await change in changes { seen.append(change) }
        #expect(seen == [KVHealthChange(node: nil, from: nil, to: .unhealthy)])
    }
}

/// A store whose health follows a script, one status per check.
final class ScriptedHealthStore: KVStore {
    let inner = KVMemoryStore()
    let statuses: [KVHealthStatus]
    let checks = Locked(0)
    init(statuses: [KVHealthStatus]) { self.statuses = statuses }
    func set(_ key: String, _ value: [UInt8], options: KVSetOptions) async throws(KVError) -> Bool { try inner.set(key, value, options: options) }
    func get(_ key: String) async throws(KVError) -> [UInt8]? { try inner.get(key) }
    func ttl(_ key: String) async throws(KVError) -> KVTimeToLive { try inner.ttl(key) }
    func delete(_ key: String) async throws(KVError) -> Bool { try inner.delete(key) }
    func list(prefix: String) -> KVKeySequence { inner.list(prefix: prefix) }
    func locate(_ key: String) async throws(KVError) -> KVLocation { try await inner.locate(key) }
    func shutdown() async { await inner.shutdown() }
    func health() async throws(KVError) -> KVHealthReport {
        let index = checks.withLock { count in defer { count += 1 }; return min(count, statuses.count - 1) }
        let node = KVNodeHealth(name: "node-a", address: "test", status: statuses[index], latency: .milliseconds(2))
        return KVHealthReport(status: statuses[index], backend: "scripted", nodes: [node])
    }
}
