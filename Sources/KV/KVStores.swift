// The umbrella re-exports the contract only: a store's own types (KVRingStore, KVClusterStore, ...) come with
// `import KVRing`, `import KVCluster`, ...
@_exported import KVCore
import KVMemory
public import Logging
#if FileConfiguration
import KVFileConfiguration
#endif
#if Redis
import KVCluster
import KVRedis
import KVRing
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

    /// memory, and with the `Redis` trait redis, rediss, unix, ring, cluster and sentinel.
    static var builtInBackends: [any KVBackend] {
        var backends: [any KVBackend] = [KVMemoryBackend()]
        #if Redis
        backends += [KVRedisBackend(), KVRedisTLSBackend(), KVRedisUnixBackend(), KVRingBackend(), KVClusterBackend(), KVSentinelBackend()]
        #endif
        return backends
    }

    /// Opens the store a URL names: `memory://`, `redis://…`, `rediss://…`, `unix:///…`, `ring://…`, `cluster://…`, `sentinel://…`.
    public static func open(_ url: String, logger: Logger = KVLogging.disabled) async throws(KVError) -> any KVStore {
        try await open(KVConfiguration(url: url), logger: logger)
    }

    /// Opens the store a configuration describes.
    public static func open(_ configuration: KVConfiguration, logger: Logger = KVLogging.disabled) async throws(KVError) -> any KVStore {
        #if !Redis
        if registry.backend(for: configuration.scheme) == nil, redisSchemes.contains(configuration.scheme) {
            throw .invalidConfiguration("\(configuration.scheme):// stores need the package's Redis trait, which this build does not enable")
        }
        #endif
        return try await registry.open(configuration, logger: logger)
    }

    /// The schemes of the stores the `Redis` trait brings.
    static let redisSchemes: Set<String> = ["redis", "rediss", "unix", "ring", "cluster", "sentinel"]
}
