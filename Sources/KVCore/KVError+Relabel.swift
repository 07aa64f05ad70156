extension KVError {
    /// The one relabel rule of the stores, for an error passed up from a lower layer: it keeps the key it names
    /// and otherwise names `key`; it names `node` (a ring's shard, say) instead of a connection's address,
    /// unless it is `shutdown`, which is about the whole store.
    package func relabeled(key: String? = nil, node: String? = nil) -> KVError {
        let key: String? = self.key ?? key
        let node: String? = code == .shutdown ? self.node : node ?? self.node
        return KVError(code, message, key: key, node: node, failures: failures, underlyingError: underlyingError)
    }

    /// ``relabeled(key:node:)`` for the key only.
    package func keyed(_ key: String) -> KVError { relabeled(key: key) }
}
