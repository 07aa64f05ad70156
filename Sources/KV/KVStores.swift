@_exported import KVCore
@_exported import KVMemory
@_exported import KVRedis
@_exported import KVRing
@_exported import KVCluster
@_exported import KVSentinel
@_exported import KVHealthMonitor
import Logging

/// Opens stores by URL or configuration, with every built-in backend registered.
///
/// ```swift
/// import KV
/// let store = try await KVStores.open("memory://?maxEntries=10000")
/// let fromEnvironment = try await KVStores.open(KVConfiguration.resolve())   // KV_STORE, KV_CONFIG or memory://
/// ```
public enum KVStores {
    /// The registry used by ``open(_:logger:)``. Register third-party backends here.
    public static let registry = KVBackendRegistry([
        KVMemoryBackend(),
        RedisBackend(),
        RedisTLSBackend(),
        RedisUnixBackend(),
        KVRingBackend(),
        KVClusterBackend(),
        KVSentinelBackend(),
    ])

    /// Opens the store a URL names: `memory://`, `redis://…`, `rediss://…`, `unix:///…`, `ring://…`, `cluster://…`, `sentinel://…`.
    public static func open(_ url: String, logger: Logger = KVLogging.disabled) async throws(KVError) -> any KVStore {
        try await registry.open(KVConfiguration(url: url), logger: logger)
    }

    /// Opens the store a configuration describes.
    public static func open(_ configuration: KVConfiguration, logger: Logger = KVLogging.disabled) async throws(KVError) -> any KVStore {
        try await registry.open(configuration, logger: logger)
    }
}
