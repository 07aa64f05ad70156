package import KVRedisConfiguration

/// How the engine talks to one node: the connection, the pool and how batches and listings are cut.
package struct RedisNodeOptions: Sendable {
    package var connection: RedisConnectionConfiguration
    /// Connections (and threads) to the node: the configuration's, or the store's default for its shape.
    package var poolSize: Int
    /// Writes confirmed by replicas with `WAIT`, or not.
    package var confirmWrites: KVWriteConfirmation?

    /// Commands per pipeline in batches.
    package var batchChunkSize: Int { connection.settings.batchChunkSize }
    /// Chunks of one batch in flight at once.
    package var maxChunksInFlight: Int { connection.settings.maxChunksInFlight }
    /// The `COUNT` hint of `SCAN`.
    package var scanCount: Int { connection.settings.scanCount }

    /// `defaultPoolSize` applies when the configuration leaves `KVRedisNodeConfiguration/poolSize` nil.
    package init(connection: RedisConnectionConfiguration, defaultPoolSize: Int, confirmWrites: KVWriteConfirmation? = nil) {
        self.connection = connection
        self.poolSize = connection.settings.poolSize ?? defaultPoolSize
        self.confirmWrites = confirmWrites
    }
}
