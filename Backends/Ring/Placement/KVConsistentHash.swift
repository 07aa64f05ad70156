/// Places keys on shards. Given the live shard names, it builds a ``KVShardPlacement``; the ring rebuilds it
/// whenever the live set changes. Implement it to plug in your own scheme.
///
/// ```swift
/// struct FirstShard: KVConsistentHash {
///     func placement(for shards: [String]) -> any KVShardPlacement { Fixed() }
///     struct Fixed: KVShardPlacement { func shardIndex(for key: String) -> Int { 0 } }
/// }
/// ```
public protocol KVConsistentHash: Sendable {
    /// The placement over `shards` (live shard names, in configured order; never empty).
    func placement(for shards: [String]) -> any KVShardPlacement
}

/// A built placement: the index, into the shard list it was built for, of the shard that owns a key.
public protocol KVShardPlacement: Sendable {
    func shardIndex(for key: String) -> Int
    /// The shard of a key given as bytes, which may not be valid UTF-8 (another client wrote it); ring
    /// rebalance uses it to move such keys too. Nil when this placement cannot place the key. The default
    /// places valid UTF-8 with ``shardIndex(for:)`` and returns nil for anything else; the built-in placements
    /// hash any bytes.
    func shardIndex(forBytes key: [UInt8]) -> Int?
}

extension KVShardPlacement {
    public func shardIndex(forBytes key: [UInt8]) -> Int? {
        String(validating: key, as: UTF8.self).map { shardIndex(for: $0) }
    }
}

/// The built-in placement modes, by their `hash=` option name.
public enum KVRingHashMode: String, Sendable, CaseIterable {
    /// go-redis v8+ Ring: rendezvous (highest random weight) with XXH64 over shard names. The default.
    case rendezvous
    /// Python redis-shard 0.3.7, CRC32 points.
    case redisShardCRC32 = "redis-shard-crc32"
    /// Python redis-shard 0.3.7, MD5 points.
    case redisShardMD5 = "redis-shard-md5"
    /// Python redis-shard 0.3.7, SHA-1 points.
    case redisShardSHA1 = "redis-shard-sha1"
    /// soundcloud/roshi pool: FNV-1 32-bit modulo the shard count.
    case moduloFNV1 = "modulo-fnv1"
    /// soundcloud/roshi pool: FNV-1a 32-bit modulo the shard count.
    case moduloFNV1a = "modulo-fnv1a"
    /// soundcloud/roshi pool: Murmur3 x86_32 modulo the shard count.
    case moduloMurmur3 = "modulo-murmur3"
    /// Jump Consistent Hash over the shard list (XXH64 of the Redis Cluster hash tag as the key).
    case jump

    public var hash: any KVConsistentHash {
        switch self {
        case .rendezvous: KVRendezvousHash()
        case .redisShardCRC32: KVRedisShardHash(.crc32)
        case .redisShardMD5: KVRedisShardHash(.md5)
        case .redisShardSHA1: KVRedisShardHash(.sha1)
        case .moduloFNV1: KVModuloHash(.fnv1)
        case .moduloFNV1a: KVModuloHash(.fnv1a)
        case .moduloMurmur3: KVModuloHash(.murmur3)
        case .jump: KVJumpConsistentHash()
        }
    }
}
