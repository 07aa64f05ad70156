public import KVCore
import KVRedisCore
import ServiceLifecycle
import Synchronization

extension KVSentinelStore {
    /// Keeps the store's view of the sentinels fresh while it is open: adopts a master that a sentinel announced
    /// (the store follows failovers without `run()` too, on its next call), and every `refreshInterval` checks
    /// the master and learns the sentinels the others know. Ends at graceful shutdown, cancellation or
    /// ``shutdown()``.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastRefresh = ContinuousClock.now
            while !Task.isCancelled, !self.state.withLock({ $0.closed }) {
                try? await Task.sleep(for: .milliseconds(50))
                if ContinuousClock.now - lastRefresh >= self.options.refreshInterval {
                    lastRefresh = .now
                    self.state.withLock { $0.needsCheck = true }
                    await self.learnSentinels()
                }
                if self.state.withLock({ $0.needsCheck || $0.nodes == nil }) {
                    _ = try? await self.currentNodes(write: false, deadline: .now + self.options.retryBudget)
                }
            }
        }
    }

    /// Adds the sentinels the first reachable sentinel knows of (at most ``maxSentinels`` in all).
    func learnSentinels() async {
        guard let first = state.withLock({ $0.sentinels.first }), let pool = try? sentinelPool(first),
              let reply = try? await pool.send(RedisCommand("SENTINEL", "sentinels", options.masterName)).orThrow(node: first.description),
              let entries = reply.array
        else { return }
        let found = entries.compactMap { entry -> KVEndpoint? in
            let fields = Self.fields(entry)
            guard let ip = fields["ip"], let port = fields["port"].flatMap({ Int($0) }), (1...65535).contains(port) else { return nil }
            return KVEndpoint(host: ip, port: port)
        }
        let sentinels = state.withLock { state in
            for sentinel in found where !state.sentinels.contains(sentinel) && state.sentinels.count < Self.maxSentinels {
                state.sentinels.append(sentinel)
            }
            return state.sentinels
        }
        startWatchers(sentinels)
    }

    /// The master, the replicas and the sentinels. The store is unhealthy without a master, degraded when a
    /// replica or sentinel does not answer.
    public func health() async throws(KVError) -> KVHealthReport {
        try checkOpen()
        let nodes = try? await currentNodes(write: false, deadline: .now + options.retryBudget)
        let sentinels = state.withLock { $0.sentinels }
        var probes: [RedisNodeHealth.Probe] = []
        if let nodes {
            probes.append(.init(nodes.client, name: nodes.master.description, role: "master"))
            for replica in nodes.replicas { probes.append(.init(replica.client, name: replica.endpoint.description, role: "replica")) }
        }
        for sentinel in sentinels {
            if let pool = try? sentinelPool(sentinel) { probes.append(.init(pool, name: sentinel.description, role: "sentinel")) }
        }
        let results = await RedisNodeHealth.check(probes)
        var report = KVHealthReport(backend: "sentinel", nodes: results)
        if nodes == nil || results.first?.role != "master" || results.first?.status != .healthy {
            report.status = .unhealthy
        }
        return report
    }
}
