public import KVCore
import KVRedisCore
import Synchronization

extension KVRingStore {
    /// At least once, with `resync` when changes may have been missed: each live shard reports every write,
    /// delete, expiry and eviction under `prefix` (broadcast tracking on a connection of the feed's own per shard;
    /// no server configuration needed). `ready` comes when every live shard's connection is armed. A shard's
    /// connection lost, silent or killed, a flush, and any change of the ring's membership (a shard down, back,
    /// added or removed: keys then live on other shards) is a `resync`. Membership follows the heartbeats of
    /// ``run()``. The feed ends with `shutdown` when the store does.
    ///
    /// ```swift
    /// for try await event in ring.watch(prefix: "session:") { print(event) }
    /// ```
    public func watch(prefix: String) -> KVWatchFeed { watches.feed(prefix: prefix, store: "ring") }

    /// The connections of the shards the ring considers up, which watch feeds listen to.
    var liveConnections: [RedisConnectionConfiguration] {
        state.withLock { $0.live.map(\.client.options.connection) }
    }
}
