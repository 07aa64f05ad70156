import KVCore
import KVRedisCore

extension KVClusterStore {
    /// Where a command goes: a node, whether it is a replica, and its pool.
    struct Route {
        let endpoint: KVEndpoint
        let replica: Bool
        let pool: RedisPool
    }

    /// The route of a command for `slot` (reads follow `readFrom`), found and pooled under one lock.
    func route(slot: Int, read: Bool) -> Route? {
        state.withLock { state in
            guard let topology = state.topology, let master = topology.master(for: slot) else { return nil }
            var endpoint = master
            if read {
                let replicas = topology.replicas(for: slot)
                switch options.readFrom {
                case .master: break
                case .replicaPreferred: endpoint = replicas.randomElement() ?? master
                case .nearest: endpoint = ([master] + replicas).min { (state.latency[$0] ?? .seconds(1)) < (state.latency[$1] ?? .seconds(1)) } ?? master
                }
            }
            let replica = endpoint != master
            return Route(endpoint: endpoint, replica: replica, pool: pool(for: endpoint, replica: replica, in: &state))
        }
    }

    /// What to do after a request to `endpoint` failed: the engine's retry policy, plus the cluster's part —
    /// a node that failed or timed out may be frozen or gone, so the slot map is refreshed from the others.
    /// A request dropped unsent because its node left the slot map is routed again.
    func decide(_ failure: RedisFailure, commands: [RedisCommand], endpoint: KVEndpoint) async -> RedisRetryPolicy.Decision {
        if failure.error.code == .shutdown, !failure.mayHaveRun, !state.withLock({ $0.closed }) { return .retry }
        let decision = RedisRetryPolicy.decide(failure, safety: RedisCommandSafety(commands))
        switch failure.error.code {
        case .timeout: await refreshSoon(avoiding: endpoint)
        case .connectionFailed where decision == .retry: await refresh(force: true, avoiding: endpoint)
        case .connectionFailed: await refreshSoon(avoiding: endpoint)
        default: break
        }
        return decision
    }

    /// Sends `command` for `key` to the slot's node, following `MOVED` and `ASK` to nodes of the slot map, and
    /// retrying transient cluster states and requests the retry policy allows within the retry budget. Each
    /// attempt is bounded by the command timeout. Any other error reply is thrown as `serverError` naming the
    /// key and the node.
    func execute(_ command: RedisCommand, key: String, read: Bool = false) async throws(KVError) -> RedisReply {
        try await execute([command], key: key, read: read)[0]
    }

    /// Sends `keyCommands`, all about `key`, as one pipeline on one connection, as ``execute(_:key:read:)`` does one.
    func execute(_ keyCommands: [RedisCommand], key: String, read: Bool = false) async throws(KVError) -> [RedisReply] {
        let slot = KVClusterSlot.slot(for: key)
        let budget = ContinuousClock.now + options.retryBudget
        var asking: KVEndpoint?
        var redirects = 0
        var attempt = 0
        var lastNode = "none"
        while true {
            let routed: Route
            if let asking {
                routed = Route(endpoint: asking, replica: false, pool: pool(for: asking))
            } else if let found = route(slot: slot, read: read) {
                routed = found
            } else {
                try await backOff(&attempt, deadline: budget, key: key, slot: slot, lastNode: lastNode, cause: "no node serves the slot")
                await refresh(force: true)
                continue
            }
            lastNode = routed.endpoint.description
            var commands = keyCommands
            if asking != nil { commands.insert(RedisCommand("ASKING"), at: 0) }
            if !read, let wait = waitCommand { commands.append(wait) }
            let replies: [RedisReply]
            do throws(RedisFailure) {
                replies = try await routed.pool.connection().execute(commands, deadline: min(budget, .now + options.connection.commandTimeout))
            } catch {
                switch await decide(error, commands: keyCommands, endpoint: routed.endpoint) {
                case .retry where ContinuousClock.now < budget:
                    state.withLock { $0.statistics.retries += 1 }
                    asking = nil
                    try await backOff(&attempt, deadline: budget, key: key, slot: slot, lastNode: lastNode, cause: error.error.message)
                    continue
                case .retry:
                    throw Self.keyed(error.error, key)
                case .surface(let surfaced):
                    throw Self.keyed(surfaced, key)
                }
            }
            let first = asking == nil ? 0 : 1
            let keyReplies = Array(replies[first..<(first + keyCommands.count)])
            let reply = keyReplies[0]
            if let message = reply.errorMessage, let redirect = ClusterRedirect(message, currentHost: routed.endpoint.host) {
                switch redirect {
                case .moved(let movedSlot, let to):
                    redirects += 1
                    asking = nil
                    state.withLock { $0.statistics.moved += 1 }
                    try await follow(to, slot: movedSlot, key: key, node: lastNode)
                    state.withLock { $0.topology?.assign(slot: movedSlot, to: to) }
                    await refreshSoon()
                case .ask(_, let to):
                    redirects += 1
                    state.withLock { $0.statistics.ask += 1 }
                    try await follow(to, slot: slot, key: key, node: lastNode)
                    asking = to
                case .retry(let kind):
                    asking = nil
                    state.withLock { $0.statistics.retries += 1 }
                    if kind == "CLUSTERDOWN" || kind == "MASTERDOWN" { await refresh() }
                    try await backOff(&attempt, deadline: budget, key: key, slot: slot, lastNode: lastNode, cause: message)
                case .malformed(let problem):
                    throw KVError(.serverError, problem, key: key, node: lastNode)
                }
                if redirects > options.maxRedirects {
                    throw KVError(.unavailable, "gave up after \(redirects) redirects for slot \(slot); last: \(message)", key: key, node: lastNode)
                }
                continue
            }
            if let message = keyReplies.lazy.compactMap(\.errorMessage).first {
                throw RedisReply.error(message, key: key, node: lastNode)
            }
            if !read, let confirm = options.confirmWrites {
                let acknowledged = replies.last?.integer ?? 0
                if acknowledged < Int64(confirm.replicas) {
                    throw KVError(.unavailable, "the write reached \(acknowledged) of \(confirm.replicas) replicas within \(confirm.timeout)", key: key, node: lastNode)
                }
            }
            return keyReplies
        }
    }

    /// Checks a redirect target against the slot map, refreshing it once if the target is new: a node that is
    /// not in the cluster's own map is never connected to, so a broken or hostile node cannot make the client
    /// open pools (and threads) to arbitrary addresses.
    private func follow(_ target: KVEndpoint, slot: Int, key: String, node: String) async throws(KVError) {
        if isKnown(target) { return }
        await refresh(force: true)
        guard isKnown(target) else {
            throw KVError(.serverError, "redirected for slot \(slot) to \(target), which is not a node of the cluster's slot map", key: key, node: node)
        }
    }

    static func keyed(_ error: KVError, _ key: String) -> KVError {
        var error = error
        error.key = key
        return error
    }

    /// `WAIT replicas timeout-ms` after each write, when writes are confirmed (the engine's command).
    var waitCommand: RedisCommand? {
        options.confirmWrites.map { KVWriteConfirmation(replicas: $0.replicas, timeout: $0.timeout).command }
    }

    /// Waits with jittered exponential backoff, or throws when the retry budget is spent.
    private func backOff(_ attempt: inout Int, deadline: ContinuousClock.Instant, key: String, slot: Int, lastNode: String, cause: String) async throws(KVError) {
        attempt += 1
        let base = min(500, 10 << min(attempt, 6))
        let delay = Duration.milliseconds(Int.random(in: base / 2...base))
        guard ContinuousClock.now + delay < deadline else {
            throw KVError(.unavailable, "retry budget of \(options.retryBudget) spent for slot \(slot): \(cause)", key: key, node: lastNode)
        }
        try? await Task.sleep(for: delay)
    }
}
