import KVRedisCore
/// go-redis v8+ Ring placement: for each shard name, `score = mix64(XXH64(tag(key)) ^ XXH64(name))`;
/// the highest score wins, ties broken by name. Swift and Go services can share one ring.
public struct KVRendezvousHash: KVConsistentHash {
    public init() {}

    public func placement(for shards: [String]) -> any KVShardPlacement {
        Placement(names: shards, nameHashes: shards.map { XXH64.hash($0) })
    }

    struct Placement: KVShardPlacement {
        let names: [String]
        let nameHashes: [UInt64]

        func shardIndex(for key: String) -> Int {
            best(for: RedisHashTag.withClusterTag(key) { XXH64.hash($0) })
        }

        func shardIndex(forBytes key: [UInt8]) -> Int? {
            best(for: key.withUnsafeBufferPointer { RedisHashTag.withClusterTag(bytes: $0) { XXH64.hash($0) } })
        }

        @inline(__always) func best(for keyHash: UInt64) -> Int {
            var best = 0
            var bestScore = mix64(keyHash ^ nameHashes[0])
            for index in 1..<nameHashes.count {
                let score = mix64(keyHash ^ nameHashes[index])
                if score > bestScore || (score == bestScore && names[index] < names[best]) {
                    best = index
                    bestScore = score
                }
            }
            return best
        }

        @inline(__always) func mix64(_ value: UInt64) -> UInt64 {
            var x = value
            x ^= x >> 12
            x ^= x << 25
            x ^= x >> 27
            return x &* 2_685_821_657_736_338_717
        }
    }
}
