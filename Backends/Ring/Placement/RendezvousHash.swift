/// go-redis v8+ Ring placement: for each shard name, `score = mix64(XXH64(tag(key)) ^ XXH64(name))`;
/// the highest score wins, ties broken by name. Swift and Go services can share one ring.
public struct RendezvousHash: ConsistentHash {
    public init() {}

    public func placement(for shards: [String]) -> any ShardPlacement {
        Placement(names: shards, nameHashes: shards.map { XXH64.hash($0) })
    }

    struct Placement: ShardPlacement {
        let names: [String]
        let nameHashes: [UInt64]

        func shardIndex(for key: String) -> Int {
            let tag = HashTag.cluster(key)
            let keyHash = tag.withContiguousStorageIfAvailable { XXH64.hash(UnsafeRawBufferPointer($0)) } ?? XXH64.hash(Array(tag))
            var best = 0
            var bestScore: UInt64 = 0
            for (index, nameHash) in nameHashes.enumerated() {
                let score = mix64(keyHash ^ nameHash)
                if index == 0 || score > bestScore || (score == bestScore && names[index] < names[best]) {
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
