public import KVCore
import KVRedisCore

extension KVClusterStore {
    /// At least once, with `resync` when changes may have been missed: every master reports each write, delete,
    /// expiry and eviction under `prefix` (broadcast tracking on a connection of the feed's own per master; no
    /// server configuration needed). `ready` comes when every master's connection is armed. A master's connection
    /// lost, silent or killed, a flush, and any slot changing master (a failover, a reshard) is a `resync`; the
    /// new masters are listened to from then on. While a feed runs, ``run()`` re-reads the slot map every second
    /// to see such changes. The feed ends with `shutdown` when the store does.
    ///
    /// ```swift
    /// for try await event in cluster.watch(prefix: "session:") { print(event) }
    /// ```
    public func watch(prefix: String) -> KVWatchFeed { watches.feed(prefix: prefix, store: "cluster") }
}
