import Foundation
import KVTestSupport
import Testing
import Synchronization

/// `kv incr` and `kv set --if-equals` on a real server, and an unknown outcome from a node that drops the connection.
@Suite(.serialized) struct CommandLineAtomicTests {
    let store = TestServers.redisArgument + "/8"

    @Test func incrPrintsTheNewValue() async throws {
        let key = "cli-incr:\(UUID())"
        #expect(try await CommandRunner.run(["incr", key, "--store", store]).text == "1\n")
        #expect(try await CommandRunner.run(["incr", key, "41", "--store", store]).text == "42\n")
        #expect(try await CommandRunner.run(["incr", key, "-50", "--store", store, "--ttl", "60"]).text == "-8\n")
        #expect(try await CommandRunner.run(["incr", key, "1.5", "--store", store]).status == 2)
        #expect(try await CommandRunner.run(["set", key, "abc", "--store", store]).status == 0)
        let notInteger = try await CommandRunner.run(["incr", key, "--store", store])
        #expect(notInteger.status == 3)
        #expect(notInteger.stderr.contains("not an integer"), "\(notInteger.stderr)")
        _ = try await CommandRunner.run(["del", key, "--store", store])
    }

    @Test func setIfEqualsWritesOnlyOverTheExpectedValue() async throws {
        let key = "cli-cas:\(UUID())"
        #expect(try await CommandRunner.run(["set", key, "old", "--store", store]).status == 0)
        let wrong = try await CommandRunner.run(["set", key, "new", "--if-equals", "other", "--store", store])
        #expect(wrong.status == 1)
        #expect(try await CommandRunner.run(["get", key, "--store", store]).stdout == Array("old".utf8))
        #expect(try await CommandRunner.run(["set", key, "new", "--if-equals", "old", "--store", store]).text == "OK\n")
        #expect(try await CommandRunner.run(["get", key, "--store", store]).stdout == Array("new".utf8))
        #expect(try await CommandRunner.run(["set", key, "x", "--if-equals", "new", "--if-absent", "--store", store]).status == 2)
        _ = try await CommandRunner.run(["del", key, "--store", store])
    }

    @Test func anIncrementWhoseConnectionBrokeExitsThreeAndIsNotResent() async throws {
        // A node that takes the INCRBY and closes the connection without answering.
        let node = try FakeRedisNode { command in command.first?.uppercased() == "INCRBY" ? .close : .bytes(Array("+OK\r\n".utf8)) }
        defer { node.close() }
        let result = try await CommandRunner.run(["incr", "k", "--store", "redis://\(node.endpoint)"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("outcome unknown"), "\(result.stderr)")
        #expect(node.received.withLock { $0.filter { $0.first?.uppercased() == "INCRBY" }.count } == 1, "sent once, never again")
    }
}
