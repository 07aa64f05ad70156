// The umbrella re-exports the contract only: a store's own types (KVRingStore, KVClusterStore, ...) come with
// `import KVRing`, `import KVCluster`, ...
@_exported import KVCore
import KVMemory
public import Logging
#if FileConfiguration
import KVFileConfiguration
#endif
#if RedisServer
import KVRedis
#endif
#if RedisRing
import KVRing
#endif
#if RedisCluster
import KVCluster
#endif
#if RedisSentinel
import KVSentinel
#endif

/// Opens stores by URL or configuration, with every built-in backend registered.
///
/// ```swift
/// import KV
/// let store = try await KVStores.open("memory://?maxEntries=10000")
/// let fromEnvironment = try await KVStores.open(KVConfiguration.resolve())   // KV_STORE, KV_CONFIG or memory://
/// ```
public enum KVStores {
    /// The registry `open` uses. Register third-party backends here.
    public static let registry = KVBackendRegistry(builtInBackends)

    /// memory, and with the `Redis` trait (or the family's own) redis, rediss, unix, ring, cluster and sentinel.
    static var builtInBackends: [any KVBackend] {
        var backends: [any KVBackend] = [KVMemoryBackend()]
        #if RedisServer
        backends += [KVRedisBackend(), KVRedisTLSBackend(), KVRedisUnixBackend()]
        #endif
        #if RedisRing
        backends.append(KVRingBackend())
        #endif
        #if RedisCluster
        backends.append(KVClusterBackend())
        #endif
        #if RedisSentinel
        backends.append(KVSentinelBackend())
        #endif
        return backends
    }

    /// Opens the store a URL names: `memory://`, `redis://…`, `rediss://…`, `unix:///…`, `ring://…`, `cluster://…`, `sentinel://…`.
    public static func open(_ url: String, logger: Logger = KVLogging.disabled) async throws(KVError) -> any KVStore {
        try await open(KVConfiguration(url: url), logger: logger)
    }

    /// Opens the store a configuration describes.
    public static func open(_ configuration: KVConfiguration, logger: Logger = KVLogging.disabled) async throws(KVError) -> any KVStore {
        if registry.backend(for: configuration.scheme) == nil, let family = redisFamilyTraits[configuration.scheme] {
            throw .invalidConfiguration(
                "\(configuration.scheme):// stores need the package's Redis trait (or its \(family) trait), which this build does not enable")
        }
        return try await registry.open(configuration, logger: logger)
    }

    /// The trait of each Redis-based scheme's family; `Redis` enables them all.
    static let redisFamilyTraits: [String: String] = [
        "redis": "RedisServer", "rediss": "RedisServer", "unix": "RedisServer",
        "ring": "RedisRing", "cluster": "RedisCluster", "sentinel": "RedisSentinel",
    ]
}
