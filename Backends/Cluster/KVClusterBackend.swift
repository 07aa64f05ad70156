public import KVCore
import KVRedisConfiguration
public import Logging

/// Opens `cluster://host:port[,host:port…][?readFrom=master|replicaPreferred|nearest&maxRedirects=5]`.
public struct KVClusterBackend: KVBackend {
    public init() {}
    public var scheme: String { "cluster" }
    public var urlForms: [String] { ["cluster://host:port[,host:port…]"] }
    public var options: [KVOptionInfo] {
        [
            KVOptionInfo("readFrom", "master (default), replicaPreferred or nearest"),
            KVOptionInfo("maxRedirects", "MOVED/ASK redirects followed per key (default 5)"),
            KVOptionInfo("retryBudget", "time spent retrying TRYAGAIN, CLUSTERDOWN, LOADING, MASTERDOWN and failovers (default 5s)"),
            KVOptionInfo("refreshInterval", "background slot-map refresh (default 30s)"),
        ] + RedisOptions.confirmation + RedisOptions.connection + RedisOptions.store + RedisOptions.nearCache
    }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        guard !configuration.url.hosts.isEmpty else { throw .invalidConfiguration("cluster:// needs at least one seed host:port") }
        var seeds: [KVEndpoint] = []
        for host in configuration.url.hosts { seeds.append(try KVEndpoint(parsing: host, defaultPort: 6379)) }
        var options = KVClusterStore.Options(seeds: seeds, node: try RedisOptions.node(configuration))
        if let value = configuration.string("readFrom") {
            guard let readFrom = KVClusterStore.ReadFrom(rawValue: value) else {
                throw .invalidConfiguration("readFrom must be master, replicaPreferred or nearest, got \(value)")
            }
            options.readFrom = readFrom
        }
        if let redirects = try configuration.int("maxRedirects", in: 0...100) { options.maxRedirects = redirects }
        if let budget = try configuration.duration("retryBudget") { options.retryBudget = budget }
        if let interval = try configuration.duration("refreshInterval") { options.refreshInterval = interval }
        options.confirmWrites = try RedisOptions.confirmation(configuration)
        RedisOptions.warnIfInsecure(options.node, logger: logger, store: "cluster")
        let store = KVClusterStore(options: options, logger: logger)
        do { try await store.start() } catch {
            await store.shutdown()
            throw error
        }
        return store
    }
}
