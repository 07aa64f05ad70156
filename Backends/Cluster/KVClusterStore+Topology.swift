public import KVCore
import KVRedisConfiguration
import KVRedisCore
import Logging
import Synchronization

extension KVClusterStore {
    /// Refreshes the slot map: single-flight (concurrent callers share one refresh) and rate-limited.
    ///
    /// - Parameters:
    ///   - force: refresh even if the last refresh was less than `minRefreshInterval` ago (but not twice within
    ///     half of it).
    ///   - waitIfRunning: when another refresh is under way, wait for it (true) or return at once (false).
    ///   - suspect: a node that just failed or timed out, asked last.
    public func refresh(force: Bool = false, waitIfRunning: Bool = true, avoiding suspect: KVEndpoint? = nil) async {
        _ = await refreshes.run(join: waitIfRunning) {
            let due = state.withLock { !$0.closed && $0.schedule.isDue(force: force, now: .now) }
            guard due else { return }
            try? await loadTopology(avoiding: suspect)
            state.withLock { $0.schedule.refreshed(at: .now) }
        }
    }

    /// Asks for a refresh without waiting for it: ``run()`` does it when it runs; otherwise the caller does it
    /// now, unless one is already under way.
    func refreshSoon(avoiding suspect: KVEndpoint? = nil) async {
        if let signal = state.withLock({ $0.refreshSignal }) {
            signal.yield()
            return
        }
        await refresh(waitIfRunning: false, avoiding: suspect)
    }

    /// Loads the slot map, asking known nodes and seeds `slotMapProbes` (3) at a time concurrently and taking the first
    /// valid answer, so a frozen node (which never answers) costs at most one short timeout. The node that
    /// just failed is asked last.
    ///
    /// - Throws: when no node gave a valid map, the most telling of their errors (a refused password before an
    ///   invalid map before a connection failure), its message naming every node asked.
    func loadTopology(avoiding suspect: KVEndpoint? = nil) async throws(KVError) {
        let candidates = state.withLock { state in
            var seen = Set<KVEndpoint>()
            let all = ((state.topology?.nodes ?? []) + options.seeds).filter { seen.insert($0).inserted }
            return all.filter { $0 != suspect } + all.filter { $0 == suspect }
        }
        let timeout = min(options.node.commandTimeout, .seconds(1))
        var errors: [KVError] = []
        let probes = options.slotMapProbes
        for start in stride(from: 0, to: candidates.count, by: probes) {
            let group = Array(candidates[start..<min(start + probes, candidates.count)])
            let clients = group.map { client(for: $0) }
            let answer: Result<KVClusterTopology, KVError>? = await withTaskGroup(of: Result<KVClusterTopology, KVError>.self) { tasks in
                for (endpoint, client) in zip(group, clients) {
                    tasks.addTask { await Self.slotMap(from: client, askedHost: endpoint.host, timeout: timeout) }
                }
                var failures: [KVError] = []
                for await result in tasks {
                    if case .success = result {
                        tasks.cancelAll()
                        return result
                    }
                    if case .failure(let error) = result { failures.append(error) }
                }
                errors += failures
                return nil
            }
            if case .success(let topology) = answer {
                await adopt(topology)
                return
            }
        }
        let code = [KVError.Code.authenticationFailed, .tlsFailed, .serverError].first { code in errors.contains { $0.code == code } } ?? .connectionFailed
        let problems = errors.map { "\($0.node ?? "?"): \($0.message)" }.joined(separator: "; ")
        throw KVError(code, "no cluster node answered CLUSTER SLOTS: \(problems)", node: candidates.map(\.description).joined(separator: ","))
    }

    /// The slot map one node answers `CLUSTER SLOTS` with, validated.
    private static func slotMap(from client: RedisNodeClient, askedHost: String, timeout: Duration) async -> Result<KVClusterTopology, KVError> {
        let node = client.node
        do throws(KVError) {
            let reply: RedisReply
            do throws(RedisFailure) {
                reply = try await client.attempt([RedisCommand("CLUSTER", "SLOTS")], write: false, deadline: .now + timeout).replies[0]
            } catch {
                throw error.error
            }
            let topology = try KVClusterTopology.parse(try reply.orThrow(node: node), askedHost: askedHost, node: node)
            guard !topology.ranges.isEmpty else { throw KVError(.serverError, "an empty slot map", node: node) }
            return .success(topology)
        } catch {
            return .failure(error)
        }
    }

    /// Installs a new slot map and closes the pools of nodes that are no longer in it (requests still queued on
    /// them fail unsent, and are routed again).
    private func adopt(_ topology: KVClusterTopology) async {
        let (stale, moved): ([RedisNodeClient], Bool) = state.withLock { state in
            let moved = state.topology.map { !$0.hasSameMasters(as: topology) } ?? false
            state.topology = topology
            state.statistics.refreshes += 1
            let kept = Set(topology.nodes)
            let leaving = state.clients.keys.filter { !kept.contains($0.endpoint) }
            return (leaving.compactMap { state.clients.removeValue(forKey: $0) }, moved)
        }
        for client in stale { client.close() }
        renewNearCacheLease(mastersChanged: moved)
        watches.setNodes(topology.masters.map { client(for: $0).options.connection }, resync: moved ? "a slot changed master (a failover or a reshard)" : nil)
        if !stale.isEmpty { logger.debug("closed the connections of nodes that left the slot map", metadata: ["nodes": "\(stale.map(\.node))"]) }
        if options.readFrom == .nearest { await measureLatency(topology) }
    }

    private func measureLatency(_ topology: KVClusterTopology) async {
        for endpoint in topology.nodes {
            let start = ContinuousClock.now
            let replica = !topology.masters.contains(endpoint)
            if (try? await client(for: endpoint, replica: replica).pool.send(RedisCommand("PING"))) != nil {
                let elapsed = ContinuousClock.now - start
                state.withLock { $0.latency[endpoint] = elapsed }
            }
        }
    }
}
