/// One key and its value, as written by `batchSet`.
public struct KVEntry: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]

    public init(_ key: String, _ value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

/// Where a key lives, as printed by `kv locate`.
public struct KVLocation: Sendable, Hashable, Codable {
    public var key: String
    /// The shard name for the ring, `host:port` for redis and the cluster, `memory` for the embedded store.
    public var node: String
    /// The cluster hash slot, for the cluster only.
    public var slot: Int?

    public init(key: String, node: String, slot: Int? = nil) {
        self.key = key
        self.node = node
        self.slot = slot
    }
}
