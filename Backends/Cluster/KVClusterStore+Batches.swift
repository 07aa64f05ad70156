import KVCore
import KVRedisCore

extension KVClusterStore {
    /// Sends one command per key: grouped by the slot's node (reads follow `readFrom`), one pipeline per node and chunk, all nodes
    /// concurrently. Keys whose reply is a redirect (or whose node failed) are retried one by one through
    /// ``execute(_:key:read:)``, so a batch never fails with `CROSSSLOT` and follows resharding per key.
    /// Results come back in input order.
    func executeMany(_ keys: [String], read: Bool, command: @escaping @Sendable (Int) -> RedisCommand) async -> [Result<RedisReply, KVError>] {
        var groups: [ObjectIdentifier: (route: Route, indexes: [Int])] = [:]
        var unrouted: [Int] = []
        for (index, key) in keys.enumerated() {
            guard let route = route(slot: KVClusterSlot.slot(for: key), read: read) else {
                unrouted.append(index)
                continue
            }
            groups[ObjectIdentifier(route.pool), default: (route, [])].indexes.append(index)
        }
        let chunkSize = options.batchChunkSize
        let wait = waitCommand
        let confirm = options.confirmWrites
        let timeout = options.connection.commandTimeout
        var jobs: [(Route, ArraySlice<Int>)] = []
        for (route, indexes) in groups.values {
            for start in stride(from: 0, to: indexes.count, by: chunkSize) {
                jobs.append((route, indexes[start..<min(start + chunkSize, indexes.count)]))
            }
        }
        let firstPass = await RedisChunks.run(jobs, maxInFlight: 16) { job -> [(Int, Result<RedisReply, KVError>?)] in
            let (route, indexes) = job
            let (endpoint, pool) = (route.endpoint, route.pool)
            var commands = indexes.map { command($0) }
            let confirming = !read && wait != nil
            if confirming, let wait { commands.append(wait) }
            do throws(RedisFailure) {
                let replies = try await pool.connection().execute(commands, deadline: .now + timeout)
                if confirming, let acknowledged = replies.last?.integer, let confirm, acknowledged < confirm.replicas {
                    let error = KVError(.unavailable, "the writes reached \(acknowledged) of \(confirm.replicas) replicas within \(confirm.timeout)", node: endpoint.description)
                    return indexes.map { ($0, .failure(error)) }
                }
                return zip(indexes, replies).map { index, reply in
                    guard let message = reply.errorMessage else { return (index, .success(reply)) }
                    if ClusterRedirect(message, currentHost: endpoint.host) != nil { return (index, nil) }
                    return (index, .failure(RedisReply.error(message, key: keys[index], node: endpoint.description)))
                }
            } catch {
                // The node failed: keys the retry policy allows are retried one by one with redirects and
                // budget; the others (a delete that may have run, a timeout) fail with the policy's error.
                switch await self.decide(error, commands: commands, endpoint: endpoint) {
                case .retry: return indexes.map { ($0, nil) }
                case .surface(let surfaced): return indexes.map { ($0, .failure(Self.keyed(surfaced, keys[$0]))) }
                }
            }
        }.flatMap { $0 }
        var results = [Result<RedisReply, KVError>?](repeating: nil, count: keys.count)
        var retry = unrouted
        for (index, result) in firstPass {
            if let result { results[index] = result } else { retry.append(index) }
        }
        if !retry.isEmpty {
            // One call per key, with redirects and budget: at most 64 at a time, however many keys were redirected.
            let retried = await RedisChunks.run(retry, maxInFlight: 64) { index -> (Int, Result<RedisReply, KVError>) in
                do throws(KVError) { return (index, .success(try await self.execute(command(index), key: keys[index], read: read))) } catch {
                    return (index, .failure(error))
                }
            }
            for (index, result) in retried { results[index] = result }
        }
        return results.map { $0 ?? .failure(KVError(.unavailable, "no reply")) }
    }

    public func batchSet(_ entries: [KVEntry], options setOptions: KVSetOptions) async throws(KVError) {
        try KVLimits.check(entries: entries)
        let ttl = try setOptions.ttlMilliseconds()
        try checkOpen()
        let unique = KVBatch.lastWins(entries)
        let results = await executeMany(unique.map(\.key), read: false) { RedisKeyCommands.set(unique[$0].key, unique[$0].value, ttlMilliseconds: ttl, options: setOptions) }
        var failures: [KVKeyFailure] = []
        for (entry, result) in zip(unique, results) {
            do throws(KVError) { _ = try RedisKeyCommands.wasSet(try result.get(), key: entry.key, node: "cluster") } catch {
                failures.append(KVKeyFailure(key: entry.key, error: error))
            }
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
    }

    public func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        try KVLimits.check(keys: keys)
        try checkOpen()
        let unique = KVBatch.distinct(keys)
        let results = await executeMany(unique, read: true) { RedisKeyCommands.get(unique[$0]) }
        var found: [String: [UInt8]] = [:]
        var failures: [KVKeyFailure] = []
        for (key, result) in zip(unique, results) {
            do throws(KVError) { if let value = try RedisKeyCommands.value(try result.get(), key: key, node: "cluster") { found[key] = value } } catch {
                failures.append(KVKeyFailure(key: key, error: error))
            }
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        return found
    }

    public func batchDelete(_ keys: [String]) async throws(KVError) -> Int {
        try KVLimits.check(keys: keys)
        try checkOpen()
        let unique = KVBatch.distinct(keys)
        let results = await executeMany(unique, read: false) { RedisKeyCommands.unlink([unique[$0]]) }
        var deleted = 0
        var failures: [KVKeyFailure] = []
        for (key, result) in zip(unique, results) {
            do throws(KVError) { deleted += try RedisKeyCommands.count(try result.get(), key: key, node: "cluster") } catch {
                failures.append(KVKeyFailure(key: key, error: error))
            }
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        return deleted
    }

    /// Every node with its role, slots, status and latency. Degraded when a slot is not served or a master
    /// has no live replica.
    public func health() async throws(KVError) -> KVHealthReport {
        try checkOpen()
        await refresh()
        guard let topology = self.topology else { throw KVError(.unavailable, "no slot map") }
        let masters = topology.masters
        let nodes = await withTaskGroup(of: (Int, KVNodeHealth).self) { group in
            for (index, endpoint) in topology.nodes.enumerated() {
                let isMaster = masters.contains(endpoint)
                let slots = topology.ranges.filter { $0.master == endpoint }.map { "\($0.slots.lowerBound)-\($0.slots.upperBound)" }
                let pool = pool(for: endpoint, replica: !isMaster)
                group.addTask {
                    var node = await RedisNodeHealth.check(pool, name: endpoint.description, role: isMaster ? "master" : "replica")
                    if isMaster { node.details["slots"] = slots.joined(separator: ",") }
                    return (index, node)
                }
            }
            var nodes = [KVNodeHealth?](repeating: nil, count: topology.nodes.count)
            for await (index, node) in group { nodes[index] = node }
            return nodes.compactMap { $0 }
        }
        let healthy = Set(nodes.filter { $0.status == .healthy }.map(\.name))
        var status: KVHealthStatus = healthy.isEmpty ? .unhealthy : .healthy
        if status == .healthy {
            let unserved = topology.unservedSlots > 0
            let orphaned = topology.ranges.contains { !healthy.contains($0.master.description) || !$0.replicas.contains { healthy.contains($0.description) } }
            if unserved || orphaned { status = .degraded }
        }
        return KVHealthReport(status: status, backend: "cluster", nodes: nodes)
    }
}
