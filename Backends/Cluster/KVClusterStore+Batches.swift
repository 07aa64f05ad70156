public import KVCore
import KVRedisConfiguration
import KVRedisCore
import Synchronization

extension KVClusterStore {
    /// Sends one command per key: grouped by the slot's node (reads follow `readFrom`), one pipeline per node and chunk, all nodes
    /// concurrently. Keys whose reply is a redirect (or whose node failed) are retried one by one through
    /// `send(_:key:write:)`, so a batch never fails with `CROSSSLOT` and follows resharding per key.
    /// Results come back in input order.
    func executeMany(_ keys: [String], read: Bool, command: @escaping @Sendable (Int) -> RedisCommand) async -> [Result<RedisKeyReplies, KVError>] {
        let (topology, latency) = state.withLock { ($0.topology, $0.latency) }
        var groups: [ClusterRoute: [Int]] = [:]
        var unrouted: [Int] = []
        var random: any RandomNumberGenerator = SystemRandomNumberGenerator()
        for (index, key) in keys.enumerated() {
            let slot = KVClusterSlot.slot(for: key)
            guard let route = ClusterCall.route(slot: slot, read: read, readFrom: options.readFrom, in: topology, latency: latency, random: &random) else {
                unrouted.append(index)
                continue
            }
            groups[route, default: []].append(index)
        }
        let chunkSize = options.node.batchChunkSize
        let timeout = options.node.commandTimeout
        let maxInFlight = options.node.maxChunksInFlight * max(1, groups.count)
        var jobs: [(RedisNodeClient, ArraySlice<Int>)] = []
        for (route, indexes) in groups {
            let client = client(for: route.endpoint, replica: route.replica)
            for start in stride(from: 0, to: indexes.count, by: chunkSize) {
                jobs.append((client, indexes[start..<min(start + chunkSize, indexes.count)]))
            }
        }
        let firstPass = await RedisChunks.run(jobs, maxInFlight: maxInFlight) { job -> [(Int, Result<RedisKeyReplies, KVError>?)] in
            let (client, indexes) = job
            let commands = indexes.map { command($0) }
            do throws(RedisFailure) {
                let (replies, confirmation) = try await client.attempt(commands, write: !read, deadline: .now + timeout)
                do throws(KVError) { try client.confirm(confirmation, replies: replies, key: nil) } catch {
                    return indexes.map { ($0, .failure(error)) }
                }
                return zip(indexes, replies).map { index, reply in
                    if let message = reply.errorMessage, ClusterRedirect(message, currentHost: client.options.connection.endpoint.host) != nil { return (index, nil) }
                    return (index, .success(RedisKeyReplies(replies: [reply], node: client.node)))
                }
            } catch {
                // The node failed: keys the retry policy allows are retried one by one with redirects and
                // budget; the others (a delete that may have run, a timeout) fail with the policy's error.
                let (decision, refresh) = ClusterCall.decide(
                    error, safety: RedisCommandSafety(commands), node: client.options.connection.endpoint, storeClosed: self.isClosed)
                await self.perform(refresh)
                switch decision {
                case .retry: return indexes.map { ($0, nil) }
                case .surface(let surfaced): return indexes.map { ($0, .failure(surfaced.keyed(keys[$0]))) }
                }
            }
        }.flatMap { $0 }
        var results = [Result<RedisKeyReplies, KVError>?](repeating: nil, count: keys.count)
        var retry = unrouted
        for (index, result) in firstPass {
            if let result { results[index] = result } else { retry.append(index) }
        }
        if !retry.isEmpty {
            // One call per key, with redirects and budget, a bounded number at a time however many keys were redirected.
            let retried = await RedisChunks.run(retry, maxInFlight: maxInFlight * 4) { index -> (Int, Result<RedisKeyReplies, KVError>) in
                do throws(KVError) { return (index, .success(try await self.send([command(index)], key: keys[index], write: !read))) } catch {
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
        invalidateNearCaches(unique.map(\.key))
        defer { invalidateNearCaches(unique.map(\.key)) }
        let results = await executeMany(unique.map(\.key), read: false) { RedisKeyCommands.set(unique[$0].key, unique[$0].value, ttlMilliseconds: ttl, options: setOptions) }
        var failures: [KVKeyFailure] = []
        for (entry, result) in zip(unique, results) {
            do throws(KVError) {
                let answer = try result.get()
                _ = try RedisKeyCommands.wasSet(answer.replies[0], key: entry.key, node: answer.node)
            } catch {
                failures.append(KVKeyFailure(key: entry.key, error: error))
            }
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
    }

    public func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        try KVLimits.check(keys: keys)
        try checkOpen()
        let unique = KVBatch.distinct(keys)
        if options.node.nearCache != nil { return try await batchGetNearCached(unique) }
        let results = await executeMany(unique, read: true) { RedisKeyCommands.get(unique[$0]) }
        var found: [String: [UInt8]] = [:]
        var failures: [KVKeyFailure] = []
        for (key, result) in zip(unique, results) {
            do throws(KVError) {
                let answer = try result.get()
                if let value = try RedisKeyCommands.value(answer.replies[0], key: key, node: answer.node) { found[key] = value }
            } catch {
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
        invalidateNearCaches(unique)
        defer { invalidateNearCaches(unique) }
        let results = await executeMany(unique, read: false) { RedisKeyCommands.unlink([unique[$0]]) }
        var deleted = 0
        var failures: [KVKeyFailure] = []
        for (key, result) in zip(unique, results) {
            do throws(KVError) {
                let answer = try result.get()
                deleted += try RedisKeyCommands.count(answer.replies[0], key: key, node: answer.node)
            } catch {
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
        let probes = topology.nodes.map { endpoint in
            let isMaster = masters.contains(endpoint)
            return RedisNodeHealth.Probe(client(for: endpoint, replica: !isMaster), name: endpoint.description, role: isMaster ? "master" : "replica")
        }
        var nodes = await RedisNodeHealth.check(probes)
        for index in nodes.indices where nodes[index].role == "master" {
            let name = nodes[index].name
            nodes[index].details["slots"] = topology.ranges.filter { $0.master.description == name }.map { "\($0.slots.lowerBound)-\($0.slots.upperBound)" }.joined(separator: ",")
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
