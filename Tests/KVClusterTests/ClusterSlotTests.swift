import KVCluster
import KVCore
import KVRedis
import KVRedisCore
import KVTestSupport
import Testing
import Logging

@Suite struct ClusterSlotTests {
    @Test func publishedSlots() {
        let expected: [String: Int] = [
            "123456789": 12739, "{}foo": 9500, "foo{}": 5542, "foo{}{bar}": 8363, "foo{{bar}}zap": 4015,
            "foo": 12182, "bar": 5061, "hello": 866, "user:1000": 1649, "": 0,
        ]
        for (key, slot) in expected { #expect(KVClusterSlot.slot(for: key) == slot, "\(key)") }
        let digits = Array("123456789".utf8)
        #expect(digits.withUnsafeBytes { KVClusterSlot.crc16($0) } == 0x31C3)
    }

    /// Thousands of random keys, with braces and binary bytes, against the server's own `CLUSTER KEYSLOT`.
    @Test func matchesTheServersKeyslotForRandomKeys() async throws {
        let server = try await TestRedisServer.launch(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"])
        let pool = RedisPool(configuration: RedisConnectionConfiguration(endpoint: KVEndpoint(host: "127.0.0.1", port: server.port)), size: 1, logger: .init(label: "test"))
        defer { pool.close() }
        let alphabet = Array("ab{}:_x\u{0}\r\n é🔑")
        let keys = (0..<5000).map { _ in String((0..<Int.random(in: 1...16)).map { _ in alphabet.randomElement()! }) }
        let replies = try await pool.pipeline(keys.map { RedisCommand("CLUSTER", "KEYSLOT", $0) })
        for (key, reply) in zip(keys, replies) {
            #expect(reply.integer.map(Int.init) == KVClusterSlot.slot(for: key), "\(KVError.render(key))")
        }
    }
}
