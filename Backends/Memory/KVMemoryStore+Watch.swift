public import KVCore
import ServiceLifecycle
import Synchronization

extension KVMemoryStore {
    /// How often ``run()`` sweeps expired keys while a watch feed is registered, so that expiries are signalled
    /// without waiting for the key to be touched.
    static let watchSweepInterval = Duration.milliseconds(100)

    /// Exact: every write, delete, expiry and eviction under `prefix` by this store's callers is signalled once,
    /// after it happened, and no `resync` is ever sent but for a consumer that falls 10,000 events behind.
    /// Expiries are signalled when the key is next touched or swept: within 100 ms while the store runs as a
    /// `Service` (``run()``). The feed ends with `shutdown` when the store does.
    ///
    /// ```swift
    /// for try await event in store.watch(prefix: "session:") { print(event) }
    /// ```
    public func watch(prefix: String) -> KVWatchFeed {
        KVWatchFeed { [self] channel throws(KVError) in
            if !prefix.isEmpty { try KVLimits.check(key: prefix) }
            if stripes.withLock(0, { $0.isShutdown }) { throw KVError.shutdown(node: "memory") }
            let id = watchers.add(prefix: prefix, channel: channel, record: recordChanges)
            return { self.watchers.remove(id, record: self.recordChanges) }
        }
    }

    /// Turns the stripes' recording of changed keys on or off.
    private func recordChanges(_ on: Bool) {
        for stripe in stripes.indices { stripes.withLock(stripe) { $0.recordsChanges = on } }
    }

    /// Sweeps expired keys every 100 ms while a watch feed is registered (so their expiry is signalled), until
    /// graceful shutdown or cancellation. Without feeds it only waits.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.watchSweepInterval)
                if self.watchers.active.load(ordering: .relaxed) { self.sweepExpired() }
            }
        }
    }
}
