import KVCore
import KVRedisConfiguration
import Logging
import Synchronization

/// One watch feed on Redis: per node, an invalidation listener with broadcast tracking of the prefix
/// (``RedisInvalidationListener``, on a connection of its own), all feeding one ``KVWatchChannel``.
///
/// `ready` is sent when every node's listener is armed (subscribed with tracking on). From the first `ready` on,
/// each key the servers report is sent as `changed`. Whatever may lose a change is a `resync`, sent once until
/// the next `ready`: a listener's connection lost or silent (its node killed, paused, restarted, or the
/// connection killed), a flush of a node's data, and a change of the store's nodes (``setNodes(_:resync:)``:
/// a failover, a reshard, a ring shard down or back, a Sentinel switch). A refusal (no permission for tracking
/// or the channel, `CLIENT` disabled) ends the feed with `unsupported`.
final class RedisWatch: Sendable {
    private struct Node {
        let id: Int
        let listener: RedisInvalidationListener
        var armed = false
    }

    private struct State {
        var nodes: [String: Node] = [:]
        var nextID = 0
        /// Every node is armed and no change was missed since `ready` was sent.
        var ready = false
        /// `ready` was sent at least once: changes are forwarded from then on.
        var started = false
        var stopped = false
    }

    let prefix: String
    let channel: KVWatchChannel
    private let logger: Logger
    private let state = Mutex(State())

    init(prefix: String, channel: KVWatchChannel, logger: Logger) {
        self.prefix = prefix
        self.channel = channel
        self.logger = logger
    }

    /// Listens to exactly `nodes` (by their names): starts listeners for new ones and stops those of nodes that
    /// left. A change of the set, or a `reason`, sends a `resync` if the feed was ready; `ready` follows when
    /// every node is armed.
    func setNodes(_ nodes: [RedisConnectionConfiguration], resync reason: String?) {
        let (added, removed) = state.withLock { state -> ([RedisInvalidationListener], [RedisInvalidationListener]) in
            guard !state.stopped else { return ([], []) }
            var wanted: [String: RedisConnectionConfiguration] = [:]
            for node in nodes where wanted[node.node] == nil { wanted[node.node] = node }
            var removed: [RedisInvalidationListener] = []
            for (name, node) in state.nodes where wanted[name] == nil {
                removed.append(node.listener)
                state.nodes[name] = nil
            }
            var added: [RedisInvalidationListener] = []
            for (name, configuration) in wanted where state.nodes[name] == nil {
                state.nextID += 1
                let id = state.nextID
                let listener = RedisInvalidationListener(configuration: configuration, broadcast: prefix.isEmpty ? [] : [prefix], logger: logger) {
                    [weak self] event in self?.handle(event, node: name, id: id)
                }
                state.nodes[name] = Node(id: id, listener: listener)
                added.append(listener)
            }
            if reason != nil || !added.isEmpty || !removed.isEmpty {
                resync(&state, reason ?? "the store's nodes changed")
            }
            return (added, removed)
        }
        for listener in removed { listener.stop() }
        for listener in added { listener.start() }
    }

    /// Stops every listener; the channel is left to the caller.
    func stop() {
        let listeners = state.withLock { state -> [RedisInvalidationListener] in
            state.stopped = true
            defer { state.nodes = [:] }
            return state.nodes.values.map(\.listener)
        }
        for listener in listeners { listener.stop() }
    }

    private func handle(_ event: RedisInvalidationListener.Event, node name: String, id: Int) {
        let refused = state.withLock { state -> Bool in
            guard !state.stopped, state.nodes[name]?.id == id else { return false }
            switch event {
            case .armed:
                state.nodes[name]?.armed = true
                announceIfArmed(&state)
            case .invalidated(let keys):
                guard state.started else { return false }
                // Byte-wise, as the server matched the prefix (`hasPrefix` compares characters).
                for key in keys where key.utf8.starts(with: prefix.utf8) { channel.send(.changed(key)) }
            case .flushed:
                resync(&state, "\(name): the node's data was flushed (FLUSHALL or FLUSHDB)")
            case .heartbeat:
                break
            case .lost(let reason):
                state.nodes[name]?.armed = false
                resync(&state, "\(name): \(reason)")
            case .refused(let reason):
                channel.finish(
                    throwing: KVError(
                        .unsupported, "watching needs CLIENT TRACKING and the \(RedisInvalidationListener.channel) channel, which \(name) refused: \(reason)",
                        node: name))
                return true
            }
            return false
        }
        if refused {
            logger.info("watch refused by the server", metadata: ["node": "\(name)"])
            stop()
        }
    }

    /// Sends `resync` unless one is pending, then `ready` at once if every node is still armed (as after a flush).
    private func resync(_ state: inout State, _ reason: String) {
        if state.ready {
            state.ready = false
            channel.send(.resync(reason))
        }
        announceIfArmed(&state)
    }

    private func announceIfArmed(_ state: inout State) {
        guard !state.ready, !state.nodes.isEmpty, state.nodes.values.allSatisfy(\.armed) else { return }
        state.ready = true
        state.started = true
        channel.send(.ready)
    }
}
