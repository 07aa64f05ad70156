public import KVCore
import KVRedisCore

extension KVSentinelStore {
    /// At least once, with `resync` when changes may have been missed: the master in use reports every write,
    /// delete, expiry and eviction under `prefix` (broadcast tracking on a connection of the feed's own; no server
    /// configuration needed). `ready` comes once the store knows its master and the connection to it is armed. The
    /// master's connection lost, silent or killed, a flush, and a switch to a new master is a `resync`; the new
    /// master is listened to from then on. The store finds the new master on its next call, or at once while it
    /// runs as a `Service` (``run()``). The feed ends with `shutdown` when the store does.
    ///
    /// ```swift
    /// for try await event in store.watch(prefix: "session:") { print(event) }
    /// ```
    public func watch(prefix: String) -> KVWatchFeed { watchFeeds.feed(prefix: prefix, store: "sentinel") }
}
