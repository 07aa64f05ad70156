package import KVCore

/// A node's health: a `PING` round trip, plus cheap `INFO` facts.
package enum RedisNodeHealth {
    /// The `INFO` fields copied into ``KVNodeHealth/details``.
    static let reported: Set<String> = ["redis_version", "uptime_in_seconds", "used_memory_human", "connected_clients", "maxmemory_human"]

    package static func check(_ pool: RedisPool, name: String, role: String? = nil) async -> KVNodeHealth {
        let start = ContinuousClock.now
        do throws(KVError) {
            let replies = try await pool.pipeline([RedisCommand("PING"), RedisCommand("INFO", "server"), RedisCommand("INFO", "memory"), RedisCommand("INFO", "clients")])
            let latency = ContinuousClock.now - start
            _ = try replies[0].orThrow(node: pool.node)
            var details: [String: String] = [:]
            for reply in replies.dropFirst() {
                guard let text = reply.text else { continue }
                for line in text.split(whereSeparator: \.isNewline) {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    let field = String(parts[0])
                    if reported.contains(field) { details[field] = String(parts[1]) }
                }
            }
            return KVNodeHealth(name: name, address: pool.node, status: .healthy, latency: latency, role: role, details: details)
        } catch {
            return KVNodeHealth(name: name, address: pool.node, status: .unhealthy, lastError: "\(error.code): \(error.message)", role: role)
        }
    }

    /// One node to check: its connections, its name in the report and its role.
    package struct Probe: Sendable {
        package let pool: RedisPool
        package let name: String
        package let role: String?
        /// The node's near cache, whose state goes into the report's details.
        package let nearCache: RedisNearCache?

        package init(_ pool: RedisPool, name: String, role: String?, nearCache: RedisNearCache? = nil) {
            self.pool = pool
            self.name = name
            self.role = role
            self.nearCache = nearCache
        }

        /// A node client's connections and near cache.
        package init(_ client: RedisNodeClient, name: String, role: String?) {
            self.init(client.pool, name: name, role: role, nearCache: client.nearCache)
        }
    }

    /// Checks every node at once; the reports come back in the order of `probes`.
    package static func check(_ probes: [Probe]) async -> [KVNodeHealth] {
        await withTaskGroup(of: (Int, KVNodeHealth).self) { group in
            for (index, probe) in probes.enumerated() {
                group.addTask {
                    var report = await check(probe.pool, name: probe.name, role: probe.role)
                    if let cache = probe.nearCache { report.details.merge(cache.details) { _, cached in cached } }
                    return (index, report)
                }
            }
            var reports = [KVNodeHealth?](repeating: nil, count: probes.count)
            for await (index, report) in group { reports[index] = report }
            return reports.compactMap { $0 }
        }
    }
}
