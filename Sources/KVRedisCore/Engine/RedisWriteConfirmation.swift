package import KVCore
import KVRedisConfiguration

/// The engine's part of `KVWriteConfirmation`: the `WAIT` command and the check of its reply.
extension KVWriteConfirmation {
    /// `WAIT replicas timeout-ms`, the timeout rounded up: `WAIT n 0` would block forever.
    package var command: RedisCommand {
        RedisCommand("WAIT", String(replicas), String(max(1, timeout.roundedUpMilliseconds)))
    }

    /// Throws unless `reply` (the reply to ``command``) counts enough replicas.
    package func check(_ reply: RedisReply, key: String?, node: String) throws(KVError) {
        let reached = try reply.orThrow(node: node, key: key).integer
        guard let reached else { throw reply.unexpected(node: node, key: key, expected: "the count of replicas WAIT reached") }
        if reached < Int64(replicas) {
            throw KVError(
                .unavailable, "the write ran on the master but reached \(reached) of \(replicas) replicas within \(timeout); a failover may lose it",
                key: key, node: node)
        }
    }
}
