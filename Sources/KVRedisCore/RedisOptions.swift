import KVCore

/// The options every Redis-based backend reads from a configuration.
package enum RedisOptions {
    package static let connection: [KVOptionInfo] = [
        KVOptionInfo("connectTimeout", "bound on connecting, e.g. 2s or 500ms (default 2s)"),
        KVOptionInfo("commandTimeout", "bound on each command's reply (default 2s)"),
        KVOptionInfo("idleCheckInterval", "PING a connection idle this long before reuse (default 30s)"),
        KVOptionInfo("clientName", "CLIENT SETNAME for every connection"),
        KVOptionInfo("user", "ACL user (also from the URL)"),
        KVOptionInfo("password", "password (also from the URL)"),
        KVOptionInfo("database", "SELECT this database (also the URL path)"),
        KVOptionInfo("poolSize", "connections per node, each with its own thread (default 2)"),
    ]

    package static let store: [KVOptionInfo] = [
        KVOptionInfo("batchChunkSize", "commands per pipeline in batches (default 1000)"),
        KVOptionInfo("scanCount", "COUNT hint for SCAN in list (default 1000)"),
    ]

    /// The connection settings of `configuration` for `endpoint`.
    package static func connection(_ configuration: KVConfiguration, endpoint: KVEndpoint) throws(KVError) -> RedisConnectionConfiguration {
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

    /// Reads `poolSize`, `batchChunkSize` and `scanCount`, leaving the defaults where they are not given.
    package static func apply(_ configuration: KVConfiguration, poolSize: inout Int, batchChunkSize: inout Int, scanCount: inout Int) throws(KVError) {
        if let size = try configuration.int("poolSize", in: 1...256) { poolSize = size }
        if let size = try configuration.int("batchChunkSize", in: 1...100_000) { batchChunkSize = size }
        if let count = try configuration.int("scanCount", in: 1...1_000_000) { scanCount = count }
    }
}
