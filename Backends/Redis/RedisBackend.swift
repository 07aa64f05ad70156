import KVCore
import KVRedisCore
import Logging

/// Opens `redis://[user[:password]@]host[:port][/db][?options]`.
public struct RedisBackend: KVBackend {
    public init() {}
    public var scheme: String { "redis" }
    public var urlForms: [String] { ["redis://[user[:password]@]host:port[/db]"] }
    public var options: [KVOptionInfo] { RedisOptions.connection + RedisOptions.store }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        guard configuration.url.hosts.count == 1 else {
            throw .invalidConfiguration("redis:// takes exactly one host:port, got \(configuration.url.hosts.count); use ring:// or cluster:// for several")
        }
        let endpoint = try KVEndpoint(parsing: configuration.url.hosts[0], defaultPort: 6379)
        var connection = try RedisOptions.connection(configuration, endpoint: endpoint)
        if !configuration.url.path.isEmpty {
            guard let database = Int(configuration.url.path), database >= 0 else {
                throw .invalidConfiguration("the path of a redis:// URL is a database number, got \"\(configuration.url.path)\"")
            }
            connection.database = database
        }
        var options = RedisStore.Options(connection: connection)
        try RedisOptions.apply(configuration, poolSize: &options.poolSize, batchChunkSize: &options.batchChunkSize, scanCount: &options.scanCount)
        return RedisStore(options: options, logger: logger)
    }
}
