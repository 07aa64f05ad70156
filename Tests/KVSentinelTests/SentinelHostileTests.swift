import KVCore
import KVSentinel
import KVTestSupport
import Testing

/// A sentinel that answers nonsense, from a fake node: the error says what came, in words.
@Suite struct SentinelHostileTests {
    @Test func aMalformedSentinelReplyIsDescribedInWords() async throws {
        let sentinel = try FakeRedisNode { command in
            command.first?.uppercased() == "SENTINEL" ? .bytes(Array("$2\r\n12\r\n".utf8)) : .bytes(Array("+OK\r\n".utf8))
        }
        defer { sentinel.close() }
        let store = try await KVBackendRegistry([KVSentinelBackend()]).open(
            try KVConfiguration(url: "sentinel://\(sentinel.endpoint)/mymaster?retryBudget=200ms&commandTimeout=500ms"))
        do {
            _ = try await store.get("k")
            Issue.record("a master was found through a broken sentinel")
        } catch {
            #expect(error.code == .unavailable && error.message.contains("a string of 2 bytes \"12\"") && !error.message.contains("RedisReply"), "\(error)")
        }
        await store.shutdown()
    }
}
