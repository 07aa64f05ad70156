import KVCore
import KVRedisCore

extension KVClusterStore {
    /// Refreshes the slot map: single-flight (concurrent callers share one refresh) and rate-limited.
    ///
    /// - Parameters:
    ///   - force: refresh even if the last refresh was less than `minRefreshInterval` ago (but not twice within
    ///     half of it).
    ///   - waitIfRunning: when another refresh is under way, wait for it (true) or return at once (false).
    ///   - suspect: a node that just failed or timed out, asked last.
    public func refresh(force: Bool = false, waitIfRunning: Bool = true, avoiding suspect: KVEndpoint? = nil) async {
        enum Step { case skip, wait, run }
        let now = ContinuousClock.now
        let step: Step = state.withLock { state in
            if state.closed { return .skip }
            if state.refreshing { return waitIfRunning ? .wait : .skip }
            if let last = state.lastRefresh, now - last < (force ? options.minRefreshInterval / 2 : options.minRefreshInterval) { return .skip }
            state.refreshing = true
            return .run
        }
        switch step {
        case .skip:
            return
        case .wait:
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let finished = state.withLock { state in
                    if !state.refreshing || state.closed { return true }
                    state.refreshWaiters.append(waiter)
                    return false
                }
                if finished { waiter.resume() }
            }
        case .run:
            try? await loadTopology(avoiding: suspect)
            let waiters = state.withLock { state in
                defer { state.refreshWaiters = [] }
                state.refreshing = false
                state.lastRefresh = ContinuousClock.now
                return state.refreshWaiters
            }
            for waiter in waiters { waiter.resume() }
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

    /// Loads the slot map, asking known nodes and seeds three at a time concurrently and taking the first
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
        let timeout = min(options.connection.commandTimeout, .seconds(1))
        var errors: [KVError] = []
        for start in stride(from: 0, to: candidates.count, by: 3) {
            let group = Array(candidates[start..<min(start + 3, candidates.count)])
            let pools = group.map { pool(for: $0) }
            let answer: Result<KVClusterTopology, KVError>? = await withTaskGroup(of: Result<KVClusterTopology, KVError>.self) { tasks in
                for (endpoint, pool) in zip(group, pools) {
                    tasks.addTask {
                        do throws(RedisFailure) {
                            let reply = try await pool.connection().execute([RedisCommand("CLUSTER", "SLOTS")], deadline: .now + timeout)[0]
                            do throws(KVError) {
                                let node = endpoint.description
                                let topology = try KVClusterTopology.parse(try reply.orThrow(node: node), askedHost: endpoint.host, node: node)
                                guard !topology.ranges.isEmpty else { return .failure(KVError(.serverError, "an empty slot map", node: node)) }
                                return .success(topology)
                            } catch {
                                return .failure(error)
                            }
                        } catch {
                            return .failure(error.error)
                        }
                    }
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

    /// Installs a new slot map and closes the pools of nodes that are no longer in it (requests still queued on
    /// them fail unsent, and are routed again).
    private func adopt(_ topology: KVClusterTopology) async {
        let stale: [RedisPool] = state.withLock { state in
            state.topology = topology
            state.statistics.refreshes += 1
            let kept = Set(topology.nodes)
            var stale: [RedisPool] = []
            for (endpoint, pool) in state.pools where !kept.contains(endpoint) {
                stale.append(pool)
                state.pools[endpoint] = nil
            }
            for (endpoint, pool) in state.replicaPools where !kept.contains(endpoint) {
                stale.append(pool)
                state.replicaPools[endpoint] = nil
            }
            return stale
        }
        for pool in stale { pool.close() }
        if !stale.isEmpty { logger.debug("closed the pools of nodes that left the slot map", metadata: ["nodes": "\(stale.map(\.node))"]) }
        if options.readFrom == .nearest { await measureLatency(topology) }
    }

    private func measureLatency(_ topology: KVClusterTopology) async {
        for endpoint in topology.nodes {
            let start = ContinuousClock.now
            let replica = !topology.masters.contains(endpoint)
            if (try? await pool(for: endpoint, replica: replica).send(RedisCommand("PING"))) != nil {
                let elapsed = ContinuousClock.now - start
                state.withLock { $0.latency[endpoint] = elapsed }
            }
        }
    }

    /// Whether `endpoint` is a node of the current slot map: the only nodes a redirect may send the client to.
    func isKnown(_ endpoint: KVEndpoint) -> Bool {
        state.withLock { $0.topology?.nodes.contains(endpoint) ?? false }
    }
}
