import KVCore
import KVRedisCore
import Logging
import Synchronization

extension KVSentinelStore {
    /// Subscribes to the failover announcements of each sentinel in `sentinels` that has no subscription yet:
    /// one connection and thread per sentinel (the leader of a failover, which announces its steps, can be any
    /// of them), stopped at ``shutdown()``.
    func startWatchers(_ sentinels: [KVEndpoint]) {
        let started = state.withLock { state -> [RedisSubscription] in
            guard !state.closed else { return [] }
            var started: [RedisSubscription] = []
            for sentinel in sentinels where state.watchers[sentinel] == nil {
                let connection = RedisConnectionConfiguration(endpoint: sentinel, settings: options.sentinelNode)
                let subscription = RedisSubscription(channels: SentinelEvent.channels, logger: logger, nodes: { [connection] in [connection] }) {
                    [weak self] channel, payload in self?.heard(channel: channel, payload: payload, from: sentinel)
                }
                state.watchers[sentinel] = subscription
                started.append(subscription)
            }
            return started
        }
        // Threads start outside the lock.
        started.forEach { $0.start() }
    }

    /// Takes in one announcement (on a subscription's thread): the tracker holds writes, or marks the master
    /// for a new look before the next call.
    func heard(channel: String, payload: String, from sentinel: KVEndpoint) {
        guard let event = SentinelEvent.parse(channel: channel, payload: payload, masterName: options.masterName) else { return }
        let (current, relevant) = state.withLock { state -> (KVEndpoint?, Bool) in
            let current = state.nodes?.master
            let before = state.tracker.failover
            if state.tracker.apply(event, current: current, now: .now) { state.needsCheck = true }
            return (current, state.tracker.failover != before || event.master == current)
        }
        guard relevant else { return }
        logger.info("a sentinel announced a failover step", metadata: [
            "sentinel": "\(sentinel)", "event": "\(channel)", "master": "\(options.masterName)", "inUse": "\(current.map { "\($0)" } ?? "none")",
        ])
    }
}
