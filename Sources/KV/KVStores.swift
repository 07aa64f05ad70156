@_exported import KVCore
@_exported import KVHealthMonitor
@_exported import KVMemory
import Logging

#if FileConfiguration
@_exported import KVFileConfiguration
#endif
#if Redis
@_exported import KVCluster
@_exported import KVRedis
@_exported import KVRing
@_exported import KVSentinel
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
        backends += [RedisBackend(), RedisTLSBackend(), RedisUnixBackend(), KVRingBackend(), KVClusterBackend(), KVSentinelBackend()]
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
