import KVCore
import KVRedisCore
import ServiceLifecycle

extension RingStore {
    /// Shard events (up, down, added, removed) from now on. Each call returns a stream of its own.
    public func events() -> AsyncStream<RingEvent> {
        let (stream, continuation) = AsyncStream<RingEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
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

    func publish(_ events: [RingEvent]) {
        guard !events.isEmpty else { return }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for event in events {
            switch event {
            case .down: logger.warning("\(event)")
            default: logger.info("\(event)")
            }
            for subscriber in subscribers { subscriber.yield(event) }
        }
    }

    func startMonitor() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let interval = self?.options.heartbeatInterval else { return }
                let started = ContinuousClock.now
                await self?.heartbeat()
                try? await Task.sleep(until: started + interval)
            }
        }
        state.withLock { $0.monitor = task }
    }

    /// Runs the heartbeat monitor until the service group shuts down gracefully or the task is cancelled.
    /// It takes over from the monitor the store started on its own, if any.
    public func run() async throws {
        let own = state.withLock { state in
            defer { state.monitor = nil }
            return state.monitor
        }
        own?.cancel()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let started = ContinuousClock.now
                await self.heartbeat()
                try? await Task.sleep(until: started + self.options.heartbeatInterval)
            }
        }
    }

    /// One heartbeat: `PING` every shard concurrently (each bounded by the heartbeat interval), then apply the
    /// results: down after `failureThreshold` consecutive failures, up after one success.
    public func heartbeat() async {
        let members = state.withLock { $0.closed ? [] : $0.members }
        let results = await withTaskGroup(of: (String, Duration, KVError?).self) { group in
            for member in members {
                group.addTask {
                    let start = ContinuousClock.now
                    do throws(KVError) {
                        _ = try await member.heartbeat.send(RedisCommand("PING")).orThrow(node: member.node)
                        return (member.name, ContinuousClock.now - start, nil)
                    } catch {
                        return (member.name, ContinuousClock.now - start, error)
                    }
                }
            }
            return await group.reduce(into: [(String, Duration, KVError?)]()) { $0.append($1) }
        }
        let events: [RingEvent] = state.withLock { state in
            var events: [RingEvent] = []
            for (name, latency, error) in results {
                guard var health = state.health[name] else { continue }
                if let error {
                    health.failures += 1
                    health.lastError = "\(error.code): \(error.message)"
                    if health.up && health.failures >= options.failureThreshold {
                        health.up = false
                        events.append(.down(shard: name, error: health.lastError ?? ""))
                    }
                } else {
                    health.failures = 0
                    health.latency = latency
                    if !health.up {
                        health.up = true
                        events.append(.up(shard: name))
                    }
                }
                state.health[name] = health
            }
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
    public var shards: [RingShard] { state.withLock { $0.members.map(\.shard) } }

    /// Replaces the shard set at run time. Calls in flight finish on the shards they started on; removed
    /// shards are closed once they have had a command timeout to finish. Shards that stay keep their connections.
    public func setShards(_ shards: [RingShard]) throws(KVError) {
        guard !shards.isEmpty else { throw .invalidConfiguration("a ring needs at least one shard") }
        guard Set(shards.map(\.name)).count == shards.count else { throw .invalidConfiguration("shard names must be unique") }
        let (events, removed) = state.withLock { state in
            var events: [RingEvent] = []
            var members: [Member] = []
            for shard in shards {
                if let existing = state.members.first(where: { $0.name == shard.name && $0.shard.connection.endpoint == shard.connection.endpoint }) {
                    members.append(existing)
                } else {
                    members.append(makeMember(shard))
                    state.health[shard.name] = Health()
                    events.append(.added(shard: shard.name))
                }
            }
            let kept = Set(members.map { ObjectIdentifier($0) })
            let removed = state.members.filter { !kept.contains(ObjectIdentifier($0)) }
            for member in removed where !members.contains(where: { $0.name == member.name }) {
                state.health[member.name] = nil
                events.append(.removed(shard: member.name))
            }
            state.members = members
            rebuild(&state)
            return (events, removed)
        }
        publish(events)
        let grace = options.shards[0].connection.commandTimeout * 2
        if !removed.isEmpty {
            Task {
                try? await Task.sleep(for: grace)
                for member in removed {
                    member.heartbeat.close()
                    member.client.close()
                }
            }
        }
    }
}
