import KVRedisCore
/// soundcloud/roshi pool placement: `hash(key) % shardCount`, no hash tags, shards in configured order.
public struct KVModuloHash: KVConsistentHash {
    public enum Function: Sendable { case fnv1, fnv1a, murmur3 }
    public let function: Function

    public init(_ function: Function) { self.function = function }

    public func placement(for shards: [String]) -> any KVShardPlacement { Placement(function: function, count: shards.count) }

    struct Placement: KVShardPlacement {
        let function: Function
        let count: Int

        func shardIndex(for key: String) -> Int {
            let hash: UInt32 = switch function {
            case .fnv1: FNV32.fnv1(key.utf8)
            case .fnv1a: FNV32.fnv1a(key.utf8)
            case .murmur3: Murmur3.hash32(Array(key.utf8))
            }
            return Int(hash % UInt32(count))
        }

        func shardIndex(forBytes key: [UInt8]) -> Int? {
            let hash: UInt32 = switch function {
            case .fnv1: FNV32.fnv1(key)
            case .fnv1a: FNV32.fnv1a(key)
            case .murmur3: Murmur3.hash32(key)
            }
            return Int(hash % UInt32(count))
        }
    }
}

/// Jump Consistent Hash over the shard list: minimal movement when shards are added at the end, even spread,
/// no per-node state. The key is XXH64 of its Redis Cluster hash tag.
public struct KVJumpConsistentHash: KVConsistentHash {
    public init() {}

    public func placement(for shards: [String]) -> any KVShardPlacement { Placement(count: shards.count) }

    struct Placement: KVShardPlacement {
        let count: Int
        func shardIndex(for key: String) -> Int {
            JumpHash.bucket(RedisHashTag.withClusterTag(key) { XXH64.hash($0) }, buckets: count)
        }

        func shardIndex(forBytes key: [UInt8]) -> Int? {
            JumpHash.bucket(key.withUnsafeBufferPointer { RedisHashTag.withClusterTag(bytes: $0) { XXH64.hash($0) } }, buckets: count)
        }
    }
}
