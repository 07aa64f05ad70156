package import KVCore

/// Streams `SCAN … MATCH prefix* COUNT n` over one or more nodes, one page per reply, with duplicates removed.
///
/// As ``KVKeyPageSource`` it yields keys as `String`s and skips (and counts) keys that are not valid UTF-8;
/// ``nextRawPage()`` yields every key's bytes, for work that must reach every key (ring rebalance).
///
/// `SCAN` may return a key more than once (while the server rehashes, or when a key is seen on two nodes
/// during a failover); a set of 128-bit fingerprints of the keys already listed drops the repeats while
/// keeping memory to 16 bytes or so a key.
package struct RedisScanSource: KVKeyPageSource {
    let pools: [RedisPool]
    let pattern: [UInt8]
    let prefix: [UInt8]
    let count: Int
    let checkOpen: @Sendable () throws(KVError) -> Void
    var poolIndex = 0
    var cursor = "0"
    package var seen = Set<KeyFingerprint>()
    package private(set) var skippedKeys = 0

    package init(pools: [RedisPool], prefix: String, count: Int = 1000, checkOpen: @escaping @Sendable () throws(KVError) -> Void) {
        self.pools = pools
        self.prefix = Array(prefix.utf8)
        pattern = RedisGlob.prefixPattern(prefix)
        self.count = count
        self.checkOpen = checkOpen
    }

    package mutating func nextPage() async throws(KVError) -> [String]? {
        while let keys = try await nextRawPage() {
            var page: [String] = []
            page.reserveCapacity(keys.count)
            for key in keys {
                if let text = String(validating: key, as: UTF8.self) { page.append(text) } else { skippedKeys += 1 }
            }
            if !page.isEmpty { return page }
        }
        return nil
    }

    /// The next page of keys as bytes, each key once; nil at the end.
    package mutating func nextRawPage() async throws(KVError) -> [[UInt8]]? {
        while poolIndex < pools.count {
            try checkOpen()
            let pool = pools[poolIndex]
            var command = RedisCommand("SCAN", cursor)
            command.append("MATCH")
            command.append(pattern)
            command.append("COUNT")
            command.append(String(count))
            let reply = try await pool.send(command).orThrow(node: pool.node)
            guard let parts = reply.array, parts.count == 2, let next = parts[0].text, let keys = parts[1].array else {
                throw reply.unexpected(node: pool.node, expected: "a SCAN reply [cursor, keys]")
            }
            if next == "0" {
                poolIndex += 1
                cursor = "0"
            } else {
                cursor = next
            }
            var page: [[UInt8]] = []
            page.reserveCapacity(keys.count)
            for key in keys {
                guard let bytes = key.bytes, bytes.starts(with: prefix), seen.insert(KeyFingerprint(bytes)).inserted else { continue }
                page.append(bytes)
            }
            if !page.isEmpty { return page }
        }
        return nil
    }
}

/// Two independent 64-bit hashes of a key's bytes: FNV-1a and a multiply-xorshift mix.
package struct KeyFingerprint: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    package init(_ bytes: [UInt8]) {
        var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
        var mix: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        for byte in bytes {
            fnv = (fnv ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            mix = (mix ^ UInt64(byte)) &* 0xBF58_476D_1CE4_E5B9
            mix ^= mix >> 29
        }
        high = fnv
        low = mix
    }
}
