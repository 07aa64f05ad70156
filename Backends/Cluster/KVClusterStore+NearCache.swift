public import KVCore
import KVRedisConfiguration
package import KVRedisCore
import Synchronization

/// The near cache on a cluster: the engine's, one per master (on its node client), found through the slot map.
/// A cached value always comes from its slot's master, on the cache's own connection, whatever `readFrom` says;
/// a redirect there is followed as any read and its answer not stored. Every change of a slot's master (a `MOVED`,
/// a refreshed map after a failover or a reshard) flushes every node's cache: an entry must not outlive the change
/// of who reports its key's writes.
///
/// No server tells a client that a slot moved, so the map is re-read every ``nearCacheMapCheck`` while the store
/// runs as a `Service`, and the caches serve only while the map was loaded within ``nearCacheMapLease``; after a
/// lapse they are flushed before they serve again.
extension KVClusterStore {
    /// How often ``run()`` re-reads the slot map when the store keeps near caches.
    static let nearCacheMapCheck = Duration.seconds(1)
    /// How long after its last load the slot map lets the near caches serve.
    static let nearCacheMapLease = Duration.seconds(3)

    /// The near cache of the master that serves `key`'s slot, when the store keeps caches and the slot map is
    /// fresh enough.
    func nearCache(for key: String) -> RedisNearCache? {
        guard options.node.nearCache != nil else { return nil }
        let slot = KVClusterSlot.slot(for: key)
        let now = RedisNearCache.now()
        let (master, client) = state.withLock { state -> (KVEndpoint?, RedisNodeClient?) in
            guard state.nearCacheLease > now, let master = state.topology?.master(for: slot) else { return (nil, nil) }
            return (master, state.clients[NodeKey(endpoint: master, replica: false)])
        }
        guard let master else { return nil }
        return (client ?? self.client(for: master)).nearCache
    }

    /// After a slot map was loaded: renews the caches' lease, flushing them first when it had lapsed (the map
    /// went unconfirmed for a while) or a slot changed master.
    func renewNearCacheLease(mastersChanged: Bool) {
        guard options.node.nearCache != nil else { return }
        let now = RedisNearCache.now()
        let lapsed = state.withLock { state in
            defer { state.nearCacheLease = now &+ RedisNearCache.nanoseconds(Self.nearCacheMapLease) }
            return state.nearCacheLease <= now && state.nearCacheLease != 0
        }
        if mastersChanged {
            flushNearCaches("topology", detail: "a slot changed master")
        } else if lapsed {
            flushNearCaches("topology", detail: "the slot map went unconfirmed for over \(Self.nearCacheMapLease)")
        }
    }

    /// Every near cache the store keeps now.
    package var nearCaches: [RedisNearCache] {
        state.withLock { $0.clients.values.compactMap(\.nearCache) }
    }

    func flushNearCaches(_ reason: String, detail: String) {
        for cache in nearCaches { cache.flush(reason, detail: detail) }
    }

    /// Drops `keys` from every cache (a batch's keys may be cached on any node that served their slot).
    func invalidateNearCaches(_ keys: [String]) {
        guard options.node.nearCache != nil else { return }
        for cache in nearCaches { cache.invalidate(keys) }
    }

    /// `batchGet` with near caches: hits from memory, each miss fetched for its master's cache (concurrent fetches
    /// on one node go out as one pipeline), a bounded number at a time.
    func batchGetNearCached(_ unique: [String]) async throws(KVError) -> [String: [UInt8]] {
        let router = self.router
        let maxInFlight = options.node.maxChunksInFlight * options.node.batchChunkSize
        let outcomes = await RedisChunks.run(unique, maxInFlight: maxInFlight) { key -> (String, Result<[UInt8]?, KVError>) in
            do throws(KVError) { return (key, .success(try await router.get(key))) } catch { return (key, .failure(error)) }
        }
        var found: [String: [UInt8]] = [:]
        var failures: [KVKeyFailure] = []
        for (key, outcome) in outcomes {
            switch outcome {
            case .success(let value?): found[key] = value
            case .success(nil): break
            case .failure(let error): failures.append(KVKeyFailure(key: key, error: error))
            }
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        return found
    }
}

extension KVClusterStore: KVDecodedValueStore {
    @usableFromInline package func peekKept(_ key: String) throws(KVError) -> KVPeek { try router.peekKept(key) }
    /// `get` for `KVClient`: with `nearCache=on`, a hit's bytes in its master's cache with the decoded value beside.
    @usableFromInline package func getKept(_ key: String) async throws(KVError) -> KVKeptRead? { try await router.getKept(key) }
    @usableFromInline package func keep(_ value: KVDecodedValue, for key: String) { router.keep(value, for: key) }
}
