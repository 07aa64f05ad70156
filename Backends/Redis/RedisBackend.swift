import KVCore
import KVRedisConnection
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
        try RedisOptions.apply(configuration, to: &options)
        return RedisStore(options: options, logger: logger)
    }
}

/// The options every Redis-based backend reads from a configuration.
public enum RedisOptions {
    public static let connection: [KVOptionInfo] = [
        KVOptionInfo("connectTimeout", "bound on connecting, e.g. 2s or 500ms (default 2s)"),
        KVOptionInfo("commandTimeout", "bound on each command's reply (default 2s)"),
        KVOptionInfo("idleCheckInterval", "PING a connection idle this long before reuse (default 30s)"),
        KVOptionInfo("clientName", "CLIENT SETNAME for every connection"),
        KVOptionInfo("user", "ACL user (also from the URL)"),
        KVOptionInfo("password", "password (also from the URL)"),
        KVOptionInfo("database", "SELECT this database (also the URL path)"),
        KVOptionInfo("poolSize", "connections per node, each with its own thread (default 2)"),
    ]

    public static let store: [KVOptionInfo] = [
        KVOptionInfo("batchChunkSize", "commands per pipeline in batches (default 1000)"),
        KVOptionInfo("scanCount", "COUNT hint for SCAN in list (default 1000)"),
    ]

    /// The connection settings of `configuration` for `endpoint`.
    public static func connection(_ configuration: KVConfiguration, endpoint: KVEndpoint) throws(KVError) -> RedisConnectionConfiguration {
        var connection = RedisConnectionConfiguration(endpoint: endpoint)
        connection.user = configuration.string("user") ?? configuration.url.user
        connection.password = configuration.string("password") ?? configuration.url.password
        if let database = try configuration.int("database", in: 0...65535) { connection.database = database }
        if let name = configuration.string("clientName") {
            guard !name.contains(where: { $0 == " " || $0.isNewline }) else {
                throw .invalidConfiguration("clientName must not contain spaces or newlines")
            }
            connection.clientName = name
        }
        if let timeout = try configuration.duration("connectTimeout") { connection.connectTimeout = timeout }
        if let timeout = try configuration.duration("commandTimeout") { connection.commandTimeout = timeout }
        if let interval = try configuration.duration("idleCheckInterval") { connection.idleCheckInterval = interval }
        return connection
    }

    public static func apply(_ configuration: KVConfiguration, to options: inout RedisStore.Options) throws(KVError) {
        try apply(configuration, poolSize: &options.poolSize, batchChunkSize: &options.batchChunkSize, scanCount: &options.scanCount)
    }

    /// Reads `poolSize`, `batchChunkSize` and `scanCount`, leaving the defaults where they are not given.
    public static func apply(_ configuration: KVConfiguration, poolSize: inout Int, batchChunkSize: inout Int, scanCount: inout Int) throws(KVError) {
        if let size = try configuration.int("poolSize", in: 1...256) { poolSize = size }
        if let size = try configuration.int("batchChunkSize", in: 1...100_000) { batchChunkSize = size }
        if let count = try configuration.int("scanCount", in: 1...1_000_000) { scanCount = count }
    }
}
