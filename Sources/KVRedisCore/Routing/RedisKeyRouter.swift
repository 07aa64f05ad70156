package import KVCore

/// The replies to the commands of one key, and the node that gave them (named in errors).
package struct RedisKeyReplies: Sendable {
    package var replies: [RedisReply]
    package var node: String

    package init(replies: [RedisReply], node: String) {
        self.replies = replies
        self.node = node
    }
}

/// Where a store sends the commands of one key: one node (a redis:// store, a ring shard, a Sentinel master) or
/// the node of the key's slot in a cluster. The single-key operations are written once, on this protocol
/// (`RedisKeyRouter+Operations.swift`); a store only decides where commands go and what to do when they fail.
package protocol RedisKeyRouter: Sendable {
    /// Throws `shutdown` once the store is closed.
    func checkOpen() throws(KVError)

    /// Sends `commands`, all about `key`, as one pipeline to the node that holds the key, under the store's retry
    /// rules; a `write` is confirmed by replicas when the store confirms writes. Error replies come back as
    /// replies (the operations name them); a transport error is thrown naming the key.
    nonisolated(nonsending) func send(_ commands: [RedisCommand], key: String, write: Bool) async throws(KVError) -> RedisKeyReplies

    /// The near cache of the node that holds `key`, when the store keeps one.
    func nearCache(for key: String) -> RedisNearCache?
}

extension RedisKeyRouter {
    /// No near cache: a store that keeps one says where.
    @inlinable package func nearCache(for key: String) -> RedisNearCache? { nil }
}
