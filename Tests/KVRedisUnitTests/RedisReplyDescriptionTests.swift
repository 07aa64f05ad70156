import KVCore
import KVRedisConfiguration
import KVRedisCore
import Testing

/// Replies in error messages are described in words, bounded, never dumped as Swift values.
@Suite struct RedisReplyDescriptionTests {
    @Test func eachKindIsDescribedInWords() {
        #expect(RedisReply.string(Array("12".utf8)).description == "a string of 2 bytes \"12\"")
        #expect(RedisReply.status("OK").description == "the status \"OK\"")
        #expect(RedisReply.integer(-3).description == "the integer -3")
        #expect(RedisReply.null.description == "null")
        #expect(RedisReply.array([]).description == "an empty array")
        #expect(RedisReply.array([.array([.null]), .null]).description == "an array of 2 (first: an array of 1)")
    }

    @Test func longAndBinaryStringsAreTruncatedAndEscaped() {
        let long = RedisReply.string(Array(repeating: UInt8(ascii: "a"), count: 10_000)).description
        #expect(long.count < 80 && long.hasSuffix("…\"") && long.contains("10000 bytes"))
        #expect(RedisReply.string([0, 0xff, UInt8(ascii: "\"")]).description == "a string of 3 bytes \"\\x00\\xff\\\"\"")
    }

    @Test func aWriteConfirmationCountsReplicas() throws {
        let confirm = KVWriteConfirmation(replicas: 2, timeout: .milliseconds(250))
        #expect(confirm.command == RedisCommand("WAIT", "2", "250"))
        try confirm.check(.integer(2), key: "k", node: "n")
        #expect(throws: KVError.self) { try confirm.check(.integer(1), key: "k", node: "n") }
        #expect(throws: KVError.self) { try confirm.check(.string([1]), key: "k", node: "n") }
        do {
            try confirm.check(.integer(1), key: "k", node: "n")
        } catch {
            #expect(error.code == .unavailable && error.message.contains("1 of 2 replicas"))
        }
    }
}
