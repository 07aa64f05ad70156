import Foundation
import KVCore
import KVRing
import KVTestSupport
import Testing

/// Keys written by the real Python redis-shard 0.3.7 are read by the ring in the matching mode.
@Suite(.serialized) struct RedisShardCompatibilityTests {
    static var pythonHasRedisShard: Bool {
        (try? TestRedisServer.run("/usr/bin/env", ["python3", "-c", "import redis_shard, redis; print('yes')"]))?.contains("yes") == true
    }

    static func randomKeys(_ count: Int) -> [String] {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789:{}{}_-é. ")
        var generator = SystemRandomNumberGenerator()
        var keys = Set<String>()
        while keys.count < count {
            let length = Int.random(in: 1...24, using: &generator)
            keys.insert(String((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        return Array(keys) + ["{}", "a{b}c{d}", "{x}{}", "}{", "plain", "user{1000}.following"]
    }

    @Test(.enabled(if: pythonHasRedisShard), arguments: [
        ("crc32", KVRingHashMode.redisShardCRC32), ("md5", .redisShardMD5), ("sha1", .redisShardSHA1),
    ])
    func writtenByRedisShardReadByTheRing(_ method: String, _ mode: KVRingHashMode) async throws {
        let ring = try await TestRing.launch()
        try await ring.withStore(hash: mode.hash) { store in
            let keys = Self.randomKeys(2000)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/redis-shard-write.py").standardized.path
            let input = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID()).json")
            try JSONEncoder().encode(keys).write(to: input)
            defer { try? FileManager.default.removeItem(at: input) }
            let servers = zip(ring.names, ring.servers).map { "\($0)=\($1.endpoint)" }
            let output = try await offPool {
                try TestRedisServer.run("/bin/sh", ["-c", "python3 '\(script)' \(method) \(servers.joined(separator: " ")) < '\(input.path)'"])
            }
            #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "\(keys.count)", "redis-shard wrote: \(output)")
            let read = try await store.batchGet(keys)
            let wrong = keys.filter { read[$0] != Array("v:\($0)".utf8) }
            #expect(wrong.isEmpty, "\(wrong.count) keys not found where the ring looked, e.g. \(wrong.prefix(5))")
        }
    }
}
