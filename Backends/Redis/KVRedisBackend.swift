public import KVCore
import KVRedisCore
public import Logging

/// Opens `redis://[user[:password]@]host[:port][/db][?options]`.
public struct KVRedisBackend: KVBackend {
    public init() {}
    public var scheme: String { "redis" }
    public var urlForms: [String] { ["redis://[user[:password]@]host:port[/db]"] }
    public var options: [KVOptionInfo] { RedisOptions.connection + RedisOptions.store }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        guard configuration.url.hosts.count == 1 else {
            throw .invalidConfiguration("\(configuration.scheme):// takes exactly one host:port, got \(configuration.url.hosts.count); use ring:// or cluster:// for several")
        }
        let endpoint = try KVEndpoint(parsing: configuration.url.hosts[0], defaultPort: 6379)
        var connection = try RedisOptions.connection(configuration, endpoint: endpoint)
        if !configuration.url.path.isEmpty {
            guard let database = Int(configuration.url.path), (0...65535).contains(database) else {
                throw .invalidConfiguration("the path of a \(configuration.scheme):// URL is a database number, got \(KVError.render(configuration.url.path))")
            }
            connection.database = database
        }
        return try Self.store(configuration, connection: connection, logger: logger)
    }

    /// The store over one node, with the store options of `configuration`.
    static func store(_ configuration: KVConfiguration, connection: RedisConnectionConfiguration, logger: Logger) throws(KVError) -> KVRedisStore {
        var options = KVRedisStore.Options(connection: connection)
        try RedisOptions.apply(configuration, poolSize: &options.poolSize, batchChunkSize: &options.batchChunkSize, scanCount: &options.scanCount)
        RedisOptions.warnIfInsecure(connection, logger: logger, store: connection.node)
        return KVRedisStore(options: options, logger: logger)
    }
}

/// Opens `rediss://[user[:password]@]host[:port][/db][?options]`: one server over TLS (see `caFile`, `certFile`,
/// `keyFile`, `serverName`, `insecure`).
public struct KVRedisTLSBackend: KVBackend {
    public init() {}
    public var scheme: String { "rediss" }
    public var urlForms: [String] { ["rediss://[user[:password]@]host:port[/db]"] }
    public var options: [KVOptionInfo] { RedisOptions.connection + RedisOptions.store }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        try await KVRedisBackend().open(configuration, logger: logger)
    }
}

/// Opens `unix:///path/to/redis.sock[?database=N&…]`: one server over a Unix-domain socket, with the redis options.
public struct KVRedisUnixBackend: KVBackend {
    public init() {}
    public var scheme: String { "unix" }
    public var urlForms: [String] { ["unix:///path/to/redis.sock[?database=N]"] }
    public var options: [KVOptionInfo] { RedisOptions.connection + RedisOptions.store }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        guard configuration.url.hosts.isEmpty, !configuration.url.path.isEmpty else {
            throw .invalidConfiguration("a unix:// URL names a socket path after three slashes: unix:///var/run/redis.sock")
        }
        var connection = try RedisOptions.connection(configuration, endpoint: KVEndpoint(host: "localhost", port: 6379))
        connection.unixSocketPath = "/" + configuration.url.path
        return try KVRedisBackend.store(configuration, connection: connection, logger: logger)
    }
}
