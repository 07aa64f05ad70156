import KVCore
import KVRedisCore
import KVRing
import KVTestSupport
import Testing

/// Keys that are not UTF-8, written by other clients, are placed by their bytes and moved byte for byte.
@Suite(.serialized) struct RingRawKeyTests {
    /// 60 keys that are not UTF-8: a lone lead byte, reversed BOMs, bytes ≥ 0xF8, some with a hash tag.
    static let rawKeys: [[UInt8]] = (0..<60).map { index in
        let tail: [UInt8] = [[0xC3], [0xFF, 0xFE], [0xFE, 0xFF], [0xF8, 0x80], [0x80]][index % 5]
        return Array("nu:\(index):".utf8) + tail + (index % 7 == 0 ? Array("{tag}".utf8) : [])
    }

    @Test func everyBuiltInPlacementPlacesBytesAsItPlacesText() {
        let names = ["a", "b", "c", "d"]
        for mode in KVRingHashMode.allCases {
            let placement = mode.hash.placement(for: names)
            for key in ["user:1", "{tag}x", "é{ü}", "k\n{x}", "plain"] {
                #expect(placement.shardIndex(forBytes: Array(key.utf8)) == placement.shardIndex(for: key), "\(mode) \(key)")
            }
            for key in Self.rawKeys {
                let index = placement.shardIndex(forBytes: key)
                #expect(index != nil && names.indices.contains(index!), "\(mode) places raw keys")
            }
        }
    }

    @Test func rebalanceMovesKeysThatAreNotUTF8ByteForByte() async throws {
        let ring = try await TestRing.launch(3)
        let store = try ring.store(shards: 2)
        try await withShutdown(store) { () async throws in
            let probes = (0..<3).map { ring.probe($0) }
            defer { probes.forEach { $0.close() } }
            func probe(_ name: String) -> RedisNodeClient { probes[ring.names.firstIndex(of: name)!] }
            // Written raw where the two-shard ring places them, with a TTL on every third key.
            for (index, key) in Self.rawKeys.enumerated() {
                let owner = try #require(try store.shard(forBytes: key))
                var command = RedisCommand(raw: "SET", key, [UInt8(index)])
                if index % 3 == 0 { command.append("PX"); command.append("100000") }
                _ = try await probe(owner).pool.send(command).orThrow(node: owner)
            }
            try store.setShards(ring.shards(3))
            let moving = try Self.rawKeys.filter { try store.shard(forBytes: $0) == "shard3" }
            #expect(moving.count > 5, "some raw keys belong to the new shard: \(moving.count)")
            let report = try await store.rebalance()
            #expect(report.moved == moving.count, "\(report)")
            #expect(report.unplaceable == 0)
            for (index, key) in Self.rawKeys.enumerated() {
                let owner = try #require(try store.shard(forBytes: key))
                for name in ring.names {
                    let value = try await probe(name).pool.send(RedisCommand(raw: "GET", key)).orThrow(node: name).bytes
                    #expect(value == (name == owner ? [UInt8(index)] : nil), "key \(index) on \(name), owner \(owner)")
                }
                let ttl = try await probe(owner).pool.send(RedisCommand(raw: "PTTL", key)).orThrow(node: owner).integer ?? -3
                #expect(index % 3 == 0 ? ttl > 90_000 : ttl == -1, "TTL of key \(index): \(ttl)")
            }
            // Listing still skips them, and counts each once.
            let listing = try await store.list(prefix: "nu:").collectListing()
            #expect(listing.keys.isEmpty && listing.skippedKeys == Self.rawKeys.count)
        }
    }

    @Test func aCustomPlacementWithoutBytesLeavesSuchKeysAndSaysSo() async throws {
        struct ByLength: KVConsistentHash {
            func placement(for shards: [String]) -> any KVShardPlacement { Placement(count: shards.count) }
            struct Placement: KVShardPlacement {
                let count: Int
                func shardIndex(for key: String) -> Int { key.utf8.count % count }
            }
        }
        let ring = try await TestRing.launch(2)
        let store = try ring.store(shards: 1, hash: ByLength())
        try await withShutdown(store) { () async throws in
            let probe = ring.probe(0)
            defer { probe.close() }
            for key in Self.rawKeys.prefix(10) { _ = try await probe.pool.send(RedisCommand(raw: "SET", key, [1])).orThrow(node: "shard1") }
            try store.setShards(ring.shards(2))
            let report = try await store.rebalance()
            #expect(report.unplaceable == 10 && report.moved == 0, "\(report)")
            #expect(try await probe.pool.send(RedisCommand("DBSIZE")).integer == 10, "left where they were")
        }
    }
}
