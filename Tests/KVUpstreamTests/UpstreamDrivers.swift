// The bridge between the frameworks' own tests (copied into Upstream/ by scripts/upstream-tests.sh) and this
// package: the one thing those copies change is the driver they make, which comes from here.
#if HummingbirdSupport && VaporSupport && Redis
import Foundation
import Hummingbird
import KV
import KVHummingbird
import KVMemory
import KVRedis
import KVVapor
import Vapor

/// The store the upstream tests run on: `KV_UPSTREAM_STORE` (`memory://`, the default, or `redis://host:port`).
enum UpstreamStore {
    static let url = ProcessInfo.processInfo.environment["KV_UPSTREAM_STORE"] ?? "memory://"

    static let store: any KVStore = {
        guard url.hasPrefix("redis://") else { return KVMemoryStore() }
        do {
            return KVRedisStore(options: .init(endpoint: try KVEndpoint(parsing: String(url.dropFirst("redis://".count)), defaultPort: 6379)))
        } catch {
            fatalError("KV_UPSTREAM_STORE \(url): \(error)")
        }
    }()

    /// A namespace per driver, so that tests running at once (some use fixed keys) do not meet.
    static func namespace() -> String { "upstream:\(UUID().uuidString):" }
}

/// Replaces `MemoryPersistDriver(…)` in Hummingbird's PersistTests and hummingbird-auth's SessionTests.
func upstreamPersistDriver() -> KVPersistDriver {
    KVPersistDriver(store: UpstreamStore.store, namespace: UpstreamStore.namespace())
}

/// Installed by Vapor's cache tests right after they make their application.
func upstreamCacheProvider() -> Vapor.Application.Caches.Provider {
    .kv(UpstreamStore.store, namespace: UpstreamStore.namespace())
}
#endif
