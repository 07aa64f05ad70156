public import KVCore
import KVRedisConfiguration
import KVRedisCore
public import Logging

/// Opens `redis://[user[:password]@]host[:port][/db][?options]`.
public struct KVRedisBackend: KVBackend {
    public init() {}
    public var scheme: String { "redis" }
    public var urlForms: [String] { ["redis://[user[:password]@]host:port[/db]"] }
    public var options: [KVOptionInfo] { RedisOptions.connection + RedisOptions.store + RedisOptions.nearCache }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        guard configuration.url.hosts.count == 1 else {
            throw .invalidConfiguration("\(configuration.scheme):// takes exactly one host:port, got \(configuration.url.hosts.count); use ring:// or cluster:// for several")
        }
        let endpoint = try KVEndpoint(parsing: configuration.url.hosts[0], defaultPort: 6379)
        var node = try RedisOptions.node(configuration)
        if !configuration.url.path.isEmpty {
            guard let database = Int(configuration.url.path), (0...65535).contains(database) else {
                throw .invalidConfiguration("the path of a \(configuration.scheme):// URL is a database number, got \(KVError.render(configuration.url.path))")
            }
            node.database = database
        }
        return Self.store(KVRedisStore.Options(endpoint: endpoint, node: node), logger: logger)
    }

    /// The store over one node, logging once if its TLS does not verify the server.
    static func store(_ options: KVRedisStore.Options, logger: Logger) -> KVRedisStore {
        RedisOptions.warnIfInsecure(options.node, logger: logger, store: options.address.description)
        return KVRedisStore(options: options, logger: logger)
    }
}

/// Opens `rediss://[user[:password]@]host[:port][/db][?options]`: one server over TLS (see `caFile`, `certFile`,
/// `keyFile`, `serverName`, `insecure`).
public struct KVRedisTLSBackend: KVBackend {
    public init() {}
    public var scheme: String { "rediss" }
    public var urlForms: [String] { ["rediss://[user[:password]@]host:port[/db]"] }
    public var options: [KVOptionInfo] { RedisOptions.connection + RedisOptions.store + RedisOptions.nearCache }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        try await KVRedisBackend().open(configuration, logger: logger)
    }
}

/// Opens `unix:///path/to/redis.sock[?database=N&…]`: one server over a Unix-domain socket, with the redis options.
public struct KVRedisUnixBackend: KVBackend {
    public init() {}
    public var scheme: String { "unix" }
    public var urlForms: [String] { ["unix:///path/to/redis.sock[?database=N]"] }
    public var options: [KVOptionInfo] { RedisOptions.connection + RedisOptions.store + RedisOptions.nearCache }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        guard configuration.url.hosts.isEmpty, !configuration.url.path.isEmpty else {
            throw .invalidConfiguration("a unix:// URL names a socket path after three slashes: unix:///var/run/redis.sock")
        }
        let node = try RedisOptions.node(configuration)
        return KVRedisBackend.store(KVRedisStore.Options(address: .unix(path: "/" + configuration.url.path), node: node), logger: logger)
    }
}
