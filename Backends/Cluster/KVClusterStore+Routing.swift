import KVCore
import KVRedisConfiguration
import KVRedisCore
import Synchronization

/// The cluster as the engine's ``RedisKeyRouter``: the single-key operations are the engine's, and each
/// request is sent where ``ClusterCall`` decides.
struct ClusterRouter: RedisKeyRouter {
    let store: KVClusterStore

    func checkOpen() throws(KVError) { try store.checkOpen() }

    nonisolated(nonsending) func send(_ commands: [RedisCommand], key: String, write: Bool) async throws(KVError) -> RedisKeyReplies {
        try await store.send(commands, key: key, write: write)
    }

    func nearCache(for key: String) -> RedisNearCache? { store.nearCache(for: key) }
}

extension KVClusterStore {
    var router: ClusterRouter { ClusterRouter(store: self) }

    /// Sends `commands`, all about `key`, as one pipeline to the node ``ClusterCall`` picks, and performs its
    /// steps: follows `MOVED` and `ASK` to nodes of the slot map, backs off and retries transient cluster states
    /// and the failures the engine's retry policy allows, within the retry budget, each attempt within one
    /// command timeout, refreshing the slot map as the call asks.
    nonisolated(nonsending) func send(_ commands: [RedisCommand], key: String, write: Bool) async throws(KVError) -> RedisKeyReplies {
        var call = ClusterCall(
            key: key, read: !write, readFrom: options.readFrom, budget: options.retryBudget, maxRedirects: options.maxRedirects, now: .now)
        var step = nextStep(&call)
        while true {
            switch step {
            case .send(let route):
                let client = client(for: route.endpoint, replica: route.replica)
                let sent = route.asking ? [RedisCommand("ASKING")] + commands : commands
                let attempt: (replies: [RedisReply], confirmation: RedisReply?)
                do throws(RedisFailure) {
                    attempt = try await client.attempt(sent, write: write, deadline: call.attemptDeadline(now: .now, commandTimeout: options.node.commandTimeout))
                } catch {
                    step = call.failed(error, safety: RedisCommandSafety(commands), storeClosed: isClosed, now: .now)
                    continue
                }
                let replies = route.asking ? Array(attempt.replies.dropFirst()) : attempt.replies
                guard let next = call.replied(replies[0], now: .now) else {
                    do throws(KVError) { try client.confirm(attempt.confirmation, replies: replies, key: key) } catch { throw error.keyed(key) }
                    return RedisKeyReplies(replies: replies, node: client.node)
                }
                step = next
            case .redirect(let redirect):
                state.withLock { state in
                    if redirect.movedSlot == nil { state.statistics.ask += 1 } else { state.statistics.moved += 1 }
                }
                let known = await isKnownAfterRefresh(redirect.target)
                if let failure = call.followed(redirect, known: known) {
                    step = failure
                    continue
                }
                if let slot = redirect.movedSlot {
                    state.withLock { $0.topology?.assign(slot: slot, to: redirect.target) }
                    flushNearCaches("moved", detail: "slot \(slot) moved to \(redirect.target)")
                    await perform(.soon(avoiding: nil))
                }
                step = nextStep(&call)
            case .retry(let delay, let refresh):
                state.withLock { $0.statistics.retries += 1 }
                await perform(refresh)
                try? await Task.sleep(for: delay)
                step = nextStep(&call)
            case .fail(let error, let refresh):
                await perform(refresh)
                throw error
            }
        }
    }

    /// The call's next route, from the slot map as it is now.
    private func nextStep(_ call: inout ClusterCall) -> ClusterCall.Step {
        let (topology, latency) = state.withLock { ($0.topology, $0.latency) }
        return call.next(in: topology, latency: latency, now: .now)
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Asks for the refresh a step wants.
    func perform(_ refresh: ClusterRefresh) async {
        switch refresh {
        case .none: return
        case .soon(let suspect): await refreshSoon(avoiding: suspect)
        case .wait(let force, let suspect): await self.refresh(force: force, avoiding: suspect)
        }
    }

    /// Whether `endpoint` is a node of the slot map, refreshing the map once first if it is not.
    func isKnownAfterRefresh(_ endpoint: KVEndpoint) async -> Bool {
        if isKnown(endpoint) { return true }
        await refresh(force: true)
        return isKnown(endpoint)
    }

    /// Whether `endpoint` is a node of the current slot map: the only nodes a redirect may send the client to.
    func isKnown(_ endpoint: KVEndpoint) -> Bool {
        state.withLock { $0.topology?.nodes.contains(endpoint) ?? false }
    }
}
