/// The hash-tag rule of Redis Cluster, the one rule every store of the engine places keys by: a cluster's
/// slots, and a ring's shards when it hashes tags (`KVClusterSlot`, `KVConsistentHash`).
package enum RedisHashTag {
    /// The Redis Cluster rule: the first `{`, then the first `}` after it; a non-empty content replaces the key.
    /// Calls `body` with the bytes to hash, without copying them.
    @inlinable
    package static func withClusterTag<R>(_ key: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var key = key
        return key.withUTF8 { withClusterTag(bytes: $0, body) }
    }

    /// The same rule over any bytes.
    @inlinable
    package static func withClusterTag<R>(bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        if let start = bytes.firstIndex(of: open),
           let end = bytes[(start + 1)...].firstIndex(of: close), end > start + 1 {
            return body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[(start + 1)..<end])))
        }
        return body(UnsafeRawBufferPointer(bytes))
    }

    /// The bytes the Redis Cluster rule hashes, as an array.
    package static func cluster(_ key: String) -> [UInt8] {
        withClusterTag(key) { Array($0) }
    }
}
