public import KVCore
package import KVRedisCore
import ServiceLifecycle
import Logging
import Synchronization

extension KVRingStore {
    /// Shard events (up, down, added, removed) from now on. Each call returns a stream of its own.
    public func events() -> AsyncStream<KVRingEvent> {
        let (stream, continuation) = AsyncStream<KVRingEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let id: Int? = state.withLock { state in
            if state.closed { return nil }
            defer { state.nextSubscriber += 1 }
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) } }
        return stream
    }

    func publish(_ events: [KVRingEvent]) {
        guard !events.isEmpty else { return }
        // Keys may now be placed on other shards: what a listing finds changed without a write.
        watches.setNodes(liveConnections, resync: "the ring's membership changed: \(events.map(\.description).joined(separator: ", "))")
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for event in events {
            logger.info("\(event)")
            for subscriber in subscribers { subscriber.yield(event) }
        }
    }

    /// Runs the heartbeat monitor until the service group shuts down gracefully, the task is cancelled or the
    /// store is shut down: every heartbeat interval, `PING` every shard.
    public func run() async throws {
        guard !state.withLock({ $0.closed }), monitorRunning.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            return
        }
        defer { monitorRunning.store(false, ordering: .relaxed) }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled && !self.state.withLock({ $0.closed }) {
                let started = ContinuousClock.now
                await self.heartbeat()
                try? await Task.sleep(until: started + self.options.heartbeatInterval)
            }
        }
    }

    /// One heartbeat: `PING` every shard concurrently (each bounded by the heartbeat interval), then apply the
    /// results: down after `failureThreshold` consecutive failures, up after one success.
    public func heartbeat() async {
        await probe(state.withLock { $0.closed ? [] : $0.members })
    }

    /// Probes the down shards that are due, when no monitor runs: the calls keep the ring's view fresh.
    func probeDueShards() async {
        guard downShards.load(ordering: .relaxed) > 0, !monitorRunning.load(ordering: .relaxed) else { return }
        let due = state.withLock { state -> [Member] in
            if state.closed { return [] }
            let names = state.membership.takeDueProbes(at: .now)
            return state.members.filter { names.contains($0.name) }
        }
        if !due.isEmpty { await probe(due) }
    }

    /// `PING`s `members` concurrently on their heartbeat connections and applies the results.
    private func probe(_ members: [Member]) async {
        let results = await withTaskGroup(of: (Member, Duration, KVError?).self) { group in
            for member in members {
                group.addTask {
                    let start = ContinuousClock.now
                    do throws(KVError) {
                        _ = try await member.heartbeat.send(RedisCommand("PING")).orThrow(node: member.node)
                        return (member, ContinuousClock.now - start, nil)
                    } catch {
                        return (member, ContinuousClock.now - start, error)
                    }
                }
            }
            return await group.reduce(into: [(Member, Duration, KVError?)]()) { $0.append($1) }
        }
        let now = ContinuousClock.now
        apply { membership in
            results.compactMap { member, latency, error in
                if let error {
                    member.failing.store(true, ordering: .relaxed)
                    return membership.recordFailure(member.name, error: "\(error.code): \(error.message)", at: now)
                }
                member.failing.store(false, ordering: .relaxed)
                return membership.recordSuccess(member.name, latency: latency)
            }
        }
    }

    /// A call to `member` succeeded: it counts as a heartbeat. Costs one atomic load unless the shard had failures.
    func noteSuccess(of member: Member) {
        guard member.failing.load(ordering: .relaxed) else { return }
        member.failing.store(false, ordering: .relaxed)
        apply { membership in membership.recordSuccess(member.name, latency: nil).map { [$0] } ?? [] }
    }

    /// A call to `member` failed: a broken connection or a timeout counts as a failed heartbeat.
    func noteFailure(of member: Member, _ error: KVError) {
        guard error.code == .connectionFailed || error.code == .timeout else { return }
        member.failing.store(true, ordering: .relaxed)
        let now = ContinuousClock.now
        apply { membership in membership.recordFailure(member.name, error: "\(error.code): \(error.message)", at: now).map { [$0] } ?? [] }
    }

    /// Changes the membership under the lock, rebuilds the placements if a shard went up or down, and
    /// publishes the events.
    private func apply(_ change: (inout RingMembership) -> [KVRingEvent]) {
        let events: [KVRingEvent] = state.withLock { state in
            if state.closed { return [] }
            let events = change(&state.membership)
            if !events.isEmpty { rebuild(&state) }
            return events
        }
        publish(events)
    }

    /// The shards the ring considers up.
    public var liveShards: [String] { state.withLock { $0.live.map(\.name) } }

    /// The client of the shard named `name` (up or down), for direct per-shard work in this package's tools.
    package func shardClient(named name: String) -> RedisNodeClient? {
        state.withLock { $0.members.first { $0.name == name }?.client }
    }

    /// The configured shards, up or down.
    public var shards: [KVRingShard] { state.withLock { $0.members.map(\.shard) } }

    /// Replaces the shard set at run time. Calls in flight finish on the shards they started on; calls still
    /// queued for a removed shard go to its keys' new owners. Shards that stay keep their connections.
    public func setShards(_ shards: [KVRingShard]) throws(KVError) {
        guard !shards.isEmpty else { throw .invalidConfiguration("a ring needs at least one shard") }
        guard Set(shards.map(\.name)).count == shards.count else { throw .invalidConfiguration("shard names must be unique") }
        let (events, removed) = state.withLock { state in
            var events: [KVRingEvent] = []
            var members: [Member] = []
            for shard in shards {
                if let existing = state.members.first(where: { $0.name == shard.name && $0.shard.endpoint == shard.endpoint }) {
                    members.append(existing)
                } else {
                    members.append(makeMember(shard))
                    state.membership.remove(shard.name)
                    state.membership.add(shard.name)
                    events.append(.added(shard: shard.name))
                }
            }
            let kept = Set(members.map { ObjectIdentifier($0) })
            let removed = state.members.filter { !kept.contains(ObjectIdentifier($0)) }
            for member in removed where !members.contains(where: { $0.name == member.name }) {
                state.membership.remove(member.name)
                events.append(.removed(shard: member.name))
            }
            state.members = members
            rebuild(&state)
            return (events, removed)
        }
        publish(events)
        // Requests already written to a removed shard finish there; those still queued fail unsent and are
        // routed again by the ring (see `onShard`).
        for member in removed {
            member.heartbeat.close()
            member.client.close()
        }
    }
}
