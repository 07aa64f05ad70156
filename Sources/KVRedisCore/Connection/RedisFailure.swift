package import KVCore

/// Why a request failed, and whether its commands may have reached the server.
///
/// The engine's retry policy (``RedisRetryPolicy``) needs both: a request that was never written provably
/// did not run and may be sent again anywhere; one that was written may have run.
package struct RedisFailure: Error, Sendable {
    package var error: KVError
    /// False only when no byte of the request was written to the server.
    package var mayHaveRun: Bool

    package init(_ error: KVError, mayHaveRun: Bool) {
        self.error = error
        self.mayHaveRun = mayHaveRun
    }
}
