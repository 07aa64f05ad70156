@testable import KVRing
import Testing
import Foundation

/// Each placement mode against the published vectors of its peer (`shared/reference/placement.md`).
@Suite struct PlacementVectorTests {
    func owners(_ mode: KVRingHashMode, _ shards: [String], _ keys: [String]) -> [String] {
        let placement = mode.hash.placement(for: shards)
        return keys.map { shards[placement.shardIndex(for: $0)] }
    }

    @Test func xxh64() {
        #expect(XXH64.hash("") == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash("abc") == 0x44BC_2CF5_AD77_0999)
        #expect(XXH64.hash("ringShardOne") == 0x57FF_35F6_775D_E210)
        #expect(XXH64.hash("ringShardTwo") == 0x9D3D_E0D7_1284_1E4D)
        #expect(XXH64.hash("key0") == 0x6290_E6BC_61D2_44BB)
        let long = String(repeating: "0123456789abcdef", count: 5)  // exercises the 32-byte stripes
        #expect(XXH64.hash(long) == XXH64.hash(Array(long.utf8)))
    }

    @Test func rendezvousMatchesGoRedisWithTwoShards() {
        let toTwo: Set<Int> = [2, 5, 7, 8, 15, 21, 22, 26, 31, 32, 34, 35, 38, 42, 43, 45, 47, 49, 50, 52, 53, 54, 57, 58, 59, 63, 65, 66, 67, 69, 70, 71, 73, 75, 76, 77, 79, 80, 86, 90, 91, 95, 96, 98]
        let shards = ["ringShardOne", "ringShardTwo"]
        let owners = owners(.rendezvous, shards, (0..<100).map { "key\($0)" })
        for i in 0..<100 { #expect(owners[i] == (toTwo.contains(i) ? "ringShardTwo" : "ringShardOne"), "key\(i)") }
        #expect(owners.filter { $0 == "ringShardOne" }.count == 56)
        #expect(self.owners(.rendezvous, shards, (0..<100).map { "key\($0){tag}" }).allSatisfy { $0 == "ringShardTwo" })
    }

    @Test func rendezvousMatchesGoRedisWithThreeShards() {
        let shards = ["shard1", "shard2", "shard3"]
        let expected: [String: String] = [
            "foo": "shard1", "key1": "shard1", "user:1000": "shard1", "{user1000}.following": "shard1", "a": "shard1",
            "bar": "shard2", "key2": "shard2", "baz": "shard3", "key3": "shard3", "hello": "shard3",
        ]
        let keys = Array(expected.keys)
        #expect(owners(.rendezvous, shards, keys) == keys.map { expected[$0]! })
    }

    @Test func redisShardVectors() {
        let nodes = ["node1", "node2", "node3"]
        #expect(CRC32.checksum(Array("node1:0".utf8)) == 0xF9D4_E287)
        #expect(CRC32.checksum(Array("bar".utf8)) == 0x76FF_8CAA)
        let crc: [String: String] = [
            "bar": "node1", "c{bar}": "node1", "c{bar}d": "node1", "d{bar}f": "node1", "hello": "node1", "foo": "node2",
            "user:1000": "node3", "{user1000}.following": "node3", "key8": "node3", "key9": "node3",
        ].merging((0...7).map { ("key\($0)", "node1") }) { a, _ in a }
        let crcKeys = Array(crc.keys)
        #expect(owners(.redisShardCRC32, nodes, crcKeys) == crcKeys.map { crc[$0]! })
        #expect(owners(.redisShardMD5, nodes, ["bar", "foo", "hello"]) == ["node1", "node2", "node3"])
        #expect(owners(.redisShardSHA1, nodes, ["foo", "bar", "hello"]) == ["node2", "node2", "node3"])
    }

    @Test func digests() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(Digest.md5([])) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(hex(Digest.md5(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(hex(Digest.md5(Array(String(repeating: "a", count: 100).utf8))) == "36a92cc94a9e0fa21f625f8bfb007adf")
        #expect(hex(Digest.sha1(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(Digest.sha1([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test func moduloVectors() {
        #expect(FNV32.fnv1(Array("foo".utf8)) == 0x408F_5E13)
        #expect(FNV32.fnv1a(Array("foo".utf8)) == 0xA9F3_7ED7)
        #expect(FNV32.fnv1(Array("bar".utf8)) == 0x1E99_B620)
        #expect(FNV32.fnv1a(Array("bar".utf8)) == 0x76B7_7D1A)
        #expect(Murmur3.hash32(Array("hello".utf8)) == 0x248B_FA47)
        #expect(Murmur3.hash32(Array("Winter is coming".utf8)) == 0x4361_7E8F)
        #expect(Murmur3.hash32(Array("foo".utf8)) == 0xF6A5_C420)
        #expect(Murmur3.hash32(Array("bar".utf8)) == 0x450E_998D)
        let shards = ["s0", "s1", "s2"]
        #expect(owners(.moduloFNV1, shards, ["foo", "bar"]) == ["s2", "s1"])
        #expect(owners(.moduloFNV1a, shards, ["foo", "bar"]) == ["s0", "s2"])
        #expect(owners(.moduloMurmur3, shards, ["foo", "bar"]) == ["s0", "s2"])
    }

    @Test func jumpMovesOnlyToTheNewBucketAndSpreadsEvenly() {
        let keys = (0..<20_000).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        for buckets in 1..<12 {
            for key in keys.prefix(2000) {
                let before = JumpHash.bucket(key, buckets: buckets)
                let after = JumpHash.bucket(key, buckets: buckets + 1)
                #expect(after == before || after == buckets)
            }
        }
        var counts = [Int](repeating: 0, count: 10)
        for key in keys { counts[JumpHash.bucket(key, buckets: 10)] += 1 }
        #expect(counts.allSatisfy { $0 > 1700 && $0 < 2300 }, "\(counts)")
        #expect(JumpHash.bucket(0, buckets: 1) == 0)
    }

    @Test func everyModeRespectsItsHashTagRule() {
        let shards = (1...5).map { "shard\($0)" }
        for mode in [KVRingHashMode.rendezvous, .jump] {
            let owners = owners(mode, shards, (0..<50).map { "user\($0){account:7}" })
            #expect(Set(owners).count == 1, "\(mode): keys with one cluster-style tag stay together")
        }
        for mode in [KVRingHashMode.redisShardCRC32, .redisShardMD5, .redisShardSHA1] {
            let owners = owners(mode, shards, (0..<50).map { "x{ignored}\($0){tag}" })
            #expect(Set(owners).count == 1, "\(mode): the last {…} wins")
        }
    }
}

/// The one-block digests that placement uses per key agree with the general ones, for every length they take.
@Suite struct ShortDigestTests {
    @Test func oneBlockDigestsMatchTheGeneralOnes() {
        var state: UInt64 = 7
        for length in 0...ShortDigest.maxLength {
            for _ in 0..<20 {
                let message: [UInt8] = (0..<length).map { _ in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return UInt8(truncatingIfNeeded: state >> 33)
                }
                let md5 = message.withUnsafeBytes { ShortDigest.md5($0) }
                let sha1 = message.withUnsafeBytes { ShortDigest.sha1($0) }
                #expect(KVRedisShardHash.Point(md5) == KVRedisShardHash.Point(Digest.md5(message)), "md5 of \(length) bytes")
                #expect(KVRedisShardHash.Point(sha1) == KVRedisShardHash.Point(Digest.sha1(message)), "sha1 of \(length) bytes")
            }
        }
    }
}
