package import KVCore
package import Logging
import Synchronization

/// The watch feeds of one Redis-based store (``KVStore/watch(prefix:)``), and the nodes they listen to: the
/// server, the Sentinel master, the ring's live shards or the cluster's masters. The store tells it when those
/// change (``setNodes(_:resync:)``), and closes it at shutdown. Each iteration of a feed has its own
/// ``RedisWatch``: one connection per node, with broadcast tracking of its prefix. No server configuration is
/// needed or changed (`notify-keyspace-events` is not used).
///
/// ```swift
/// let watches = RedisWatches(nodes: [connection], logger: logger)
/// func watch(prefix: String) -> KVWatchFeed { watches.feed(prefix: prefix, store: "redis") }
/// ```
package final class RedisWatches: Sendable {
    private struct State {
        var nodes: [RedisConnectionConfiguration]
        var feeds: [Int: RedisWatch] = [:]
        var nextID = 0
        var closed = false
    }

    private let logger: Logger
    private let state: Mutex<State>

    /// Feeds will listen to `nodes` (none while the store does not know them yet).
    package init(nodes: [RedisConnectionConfiguration], logger: Logger) {
        state = Mutex(State(nodes: nodes))
        self.logger = logger
    }

    /// Whether any feed is being iterated (a store that re-reads its topology for them does so more often).
    package var isActive: Bool { state.withLock { !$0.feeds.isEmpty } }

    /// The feed of `prefix`: each iteration subscribes with listeners of its own, ended with the iteration.
    package func feed(prefix: String, store: String) -> KVWatchFeed {
        KVWatchFeed { [self] channel throws(KVError) in
            if !prefix.isEmpty { try KVLimits.check(key: prefix) }
            let watch = RedisWatch(prefix: prefix, channel: channel, logger: logger)
            let registered = state.withLock { state -> (id: Int, nodes: [RedisConnectionConfiguration])? in
                guard !state.closed else { return nil }
                state.nextID += 1
                state.feeds[state.nextID] = watch
                return (state.nextID, state.nodes)
            }
            guard let registered else { throw KVError.shutdown(node: store) }
            watch.setNodes(registered.nodes, resync: nil)
            return { [self] in
                _ = state.withLock { $0.feeds.removeValue(forKey: registered.id) }
                watch.stop()
            }
        }
    }

    /// The store's nodes changed, or something else happened that may have changed what a listing finds (a
    /// `reason`): every feed listens to `nodes` from now on and resyncs.
    package func setNodes(_ nodes: [RedisConnectionConfiguration], resync reason: String?) {
        let feeds = state.withLock { state -> [RedisWatch] in
            guard !state.closed else { return [] }
            state.nodes = nodes
            return Array(state.feeds.values)
        }
        for feed in feeds { feed.setNodes(nodes, resync: reason) }
    }

    /// Ends every feed with `shutdown` and refuses new ones.
    package func close(store: String) {
        let feeds = state.withLock { state -> [RedisWatch] in
            state.closed = true
            defer { state.feeds = [:] }
            return Array(state.feeds.values)
        }
        for feed in feeds {
            feed.stop()
            feed.channel.finish(throwing: KVError.shutdown(node: store))
        }
    }
}
