package import KVCore

/// How the engine talks to one node: the connection, the pool and how batches and listings are cut.
package struct RedisNodeOptions: Sendable {
    package var connection: RedisConnectionConfiguration
    /// Connections (and threads) to the node.
    package var poolSize: Int
    /// Commands per pipeline in batches.
    package var batchChunkSize: Int
    /// Chunks of one batch in flight at once.
    package var maxChunksInFlight: Int
    /// The `COUNT` hint of `SCAN`.
    package var scanCount: Int
    /// Writes confirmed by replicas with `WAIT`, or not.
    package var confirmWrites: KVWriteConfirmation?

    package init(
        connection: RedisConnectionConfiguration, poolSize: Int, batchChunkSize: Int, maxChunksInFlight: Int, scanCount: Int,
        confirmWrites: KVWriteConfirmation? = nil
    ) {
        self.confirmWrites = confirmWrites
        self.connection = connection
        self.poolSize = poolSize
        self.batchChunkSize = batchChunkSize
        self.maxChunksInFlight = maxChunksInFlight
        self.scanCount = scanCount
    }
}
