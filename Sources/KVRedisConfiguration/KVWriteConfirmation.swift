/// Writes confirmed by replicas before they are acknowledged: after each write the Redis-based stores send
/// `WAIT replicas timeout` in the same pipeline. A write that reached fewer replicas within the timeout ran on
/// the master but may be lost at a failover, and its call fails with `unavailable` saying so.
///
/// ```swift
/// options.confirmWrites = KVWriteConfirmation(replicas: 2, timeout: .milliseconds(500))
/// ```
public struct KVWriteConfirmation: Sendable, Hashable {
    /// Replicas that must have the write (URL option `waitReplicas`).
    public var replicas: Int
    /// How long to wait for them (URL option `waitTimeout`, default 1 s).
    public var timeout: Duration

    public init(replicas: Int, timeout: Duration = .seconds(1)) {
        self.replicas = replicas
        self.timeout = timeout
    }
}
