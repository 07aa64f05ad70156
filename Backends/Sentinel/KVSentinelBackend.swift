public import KVCore
import KVRedisConfiguration
public import Logging

/// Opens `sentinel://host:port[,host:port…]/masterName[/db][?options]`.
public struct KVSentinelBackend: KVBackend {
    public init() {}
    public var scheme: String { "sentinel" }
    public var urlForms: [String] { ["sentinel://host:port[,host:port…]/masterName[/db]"] }
    public var options: [KVOptionInfo] {
        [
            KVOptionInfo("sentinelUser", "ACL user for the sentinels"),
            KVOptionInfo("sentinelPassword", "password for the sentinels"),
            KVOptionInfo("readFrom", "master (default) or replicaPreferred"),
            KVOptionInfo("retryBudget", "time a call keeps re-resolving the master when it did not run (default 5s)"),
            KVOptionInfo("refreshInterval", "how often run() re-checks the master and the sentinels (default 10s)"),
            KVOptionInfo("verifyInterval", "how often, at most, a write checks the master again first (default 1s)"),
        ] + RedisOptions.confirmation + RedisOptions.connection + RedisOptions.store + RedisOptions.nearCache
    }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        guard !configuration.url.hosts.isEmpty else { throw .invalidConfiguration("sentinel:// needs sentinels: sentinel://host:26379,host:26380/mymaster") }
        var sentinels: [KVEndpoint] = []
        for host in configuration.url.hosts { sentinels.append(try KVEndpoint(parsing: host, defaultPort: 26379)) }
        let path = configuration.url.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let name = path.first, !name.isEmpty, path.count <= 2 else {
            throw .invalidConfiguration("sentinel:// needs the master's name as its path: sentinel://host:26379/mymaster[/db]")
        }
        var node = try RedisOptions.node(configuration)
        if path.count == 2 {
            guard let database = Int(path[1]), (0...65535).contains(database) else {
                throw .invalidConfiguration("the database of a sentinel:// URL is a number, got \(KVError.render(path[1]))")
            }
            node.database = database
        }
        var options = KVSentinelStore.Options(sentinels: sentinels, masterName: name, node: node)
        options.sentinelNode.user = configuration.string("sentinelUser")
        options.sentinelNode.password = configuration.string("sentinelPassword")
        if let readFrom = configuration.string("readFrom") {
            guard let value = KVSentinelStore.Options.ReadFrom(rawValue: readFrom) else {
                throw .invalidConfiguration("option readFrom=\(readFrom) must be master or replicaPreferred")
            }
            options.readFrom = value
        }
        if let budget = try configuration.duration("retryBudget") { options.retryBudget = budget }
        if let interval = try configuration.duration("refreshInterval") { options.refreshInterval = interval }
        if let interval = try configuration.duration("verifyInterval") { options.verifyInterval = interval }
        options.confirmWrites = try RedisOptions.confirmation(configuration)
        RedisOptions.warnIfInsecure(node, logger: logger, store: "sentinel")
        return try KVSentinelStore(options: options, logger: logger)
    }
}
