public import KVCore
import KVRedisConfiguration
public import Logging

/// Opens `ring://name=host:port,name=host:port[?hash=rendezvous&heartbeat=500ms&failureThreshold=3&onShardDown=reroute]`.
public struct KVRingBackend: KVBackend {
    public init() {}
    public var scheme: String { "ring" }
    public var urlForms: [String] { ["ring://name1=host:port,name2=host:port[?hash=\(KVRingHashMode.allCases.map(\.rawValue).joined(separator: "|"))]"] }
    public var options: [KVOptionInfo] {
        [
            KVOptionInfo("hash", "placement: \(KVRingHashMode.allCases.map(\.rawValue).joined(separator: ", ")) (default rendezvous)"),
            KVOptionInfo("heartbeat", "PING interval per shard (default 500ms)"),
            KVOptionInfo("failureThreshold", "consecutive failed heartbeats before a shard is down (default 3)"),
            KVOptionInfo("onShardDown", "reroute (keys move to survivors, default) or fail (fail fast)"),
        ] + RedisOptions.connection + RedisOptions.store + RedisOptions.nearCache
    }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        guard !configuration.url.hosts.isEmpty else { throw .invalidConfiguration("ring:// needs shards: ring://name1=host:port,name2=host:port") }
        let node = try RedisOptions.node(configuration)
        var shards: [KVRingShard] = []
        for entry in configuration.url.hosts {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw .invalidConfiguration("ring shard \"\(entry)\" must be name=host:port")
            }
            shards.append(try KVRingShard(name: parts[0], address: parts[1]))
        }
        var options = KVRingStore.Options(shards: shards, node: node)
        if let name = configuration.string("hash") {
            guard let mode = KVRingHashMode(rawValue: name) else {
                throw .invalidConfiguration("unknown hash \"\(name)\"; known: \(KVRingHashMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            options.hash = mode.hash
        }
        if let interval = try configuration.duration("heartbeat") { options.heartbeatInterval = interval }
        if let threshold = try configuration.int("failureThreshold", in: 1...1000) { options.failureThreshold = threshold }
        if let policy = configuration.string("onShardDown") {
            guard let value = KVRingShardDownPolicy(rawValue: policy) else { throw .invalidConfiguration("onShardDown must be reroute or fail, got \(policy)") }
            options.onShardDown = value
        }
        RedisOptions.warnIfInsecure(node, logger: logger, store: "ring")
        return try KVRingStore(options: options, logger: logger)
    }
}
