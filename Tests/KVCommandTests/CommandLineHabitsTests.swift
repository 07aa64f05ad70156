import Foundation
import KVTestSupport
import Testing

/// Habits users bring from redis-cli and git: options before the subcommand, `--version`, one line per error,
/// binary-safe JSON, a bench that cleans up after itself, and a word about the memory store's lifetime.
@Suite(.serialized) struct CommandLineHabitsTests {
    let store = TestServers.redisArgument + "/6"

    @Test func storeOptionsMayComeBeforeTheSubcommand() async throws {
        let key = "habit:\(UUID())"
        let set = try await CommandRunner.run(["--store", store, "set", key, "v"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try await CommandRunner.run(["--store=\(store)", "--verbose", "get", key]).stdout == Array("v".utf8))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("habit-\(UUID()).yaml")
        try "store: \(store)\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try await CommandRunner.run(["--config", file.path, "del", key]).text == "1\n")
        // Not a store option: still a usage error, as before.
        #expect(try await CommandRunner.run(["--ttl", "5", "set", key, "v"]).status == 2)
    }

    @Test func versionPrintsTheVersion() async throws {
        let result = try await CommandRunner.run(["--version"])
        #expect(result.status == 0)
        #expect(result.text.hasPrefix("kv "))
        #expect(result.text.split(separator: "\n").count == 1)
    }

    @Test func aConnectionErrorIsOneLineUnlessVerbose() async throws {
        let closed = "redis://127.0.0.1:\(try TestRedisServer.freePort())?connectTimeout=200ms"
        let result = try await CommandRunner.run(["get", "k", "--store", closed])
        #expect(result.status == 3)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("kv: connection failed"), "\(result.stderr)")
    }

    @Test func mgetJSONIsBinarySafe() async throws {
        let key = "habit-bin:\(UUID())", text = "habit-text:\(UUID())"
        #expect(try await CommandRunner.run(["set", key, "-", "--store", store], stdin: [0xFF, 0x00, 0x61, 0xC3]).status == 0)
        #expect(try await CommandRunner.run(["set", text, "héllo", "--store", store]).status == 0)
        let result = try await CommandRunner.run(["mget", key, text, "--json", "--store", store])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        let encoded = (object?[key] as? [String: String])?["base64"]
        #expect(encoded.flatMap { Data(base64Encoded: $0) }.map(Array.init) == [0xFF, 0x00, 0x61, 0xC3])
        #expect(object?[text] as? String == "héllo")
        _ = try await CommandRunner.run(["del", key, text, "--store", store])
    }

    @Test func aWriteToTheMemoryStoreSaysItLastsOnlyAsLongAsTheProcess() async throws {
        let memory = try await CommandRunner.run(["set", "k", "v"])
        #expect(memory.text == "OK\n")
        #expect(memory.stderr.contains("memory://") && memory.stderr.split(separator: "\n").count == 1, "\(memory.stderr)")
        let redis = try await CommandRunner.run(["set", "habit-note", "v", "--store", store])
        #expect(redis.stderr.isEmpty, "\(redis.stderr)")
        _ = try await CommandRunner.run(["del", "habit-note", "--store", store])
    }

    @Test func benchRemovesEveryKeyItWrote() async throws {
        let database = try TestServers.redisURL + "/9"
        let host = String(try TestServers.redisURL.dropFirst("redis://".count))
        let (address, port) = (String(host.split(separator: ":")[0]), String(host.split(separator: ":")[1]))
        let before = try await TestRedisServer.redisCli(["-h", address, "-p", port, "-n", "0", "DBSIZE"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try await CommandRunner.run(["bench", "--count", "500", "--json", "--store", database], timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        let references = (object?["rows"] as? [[String: Any]] ?? []).flatMap { ($0["comparisons"] as? [[String: Any]]) ?? [] }
        #expect(references.contains { $0["reference"] as? String == "redis-benchmark" && $0["opsPerSecond"] is Double }, "redis-benchmark ran")
        #expect(try await TestRedisServer.redisCli(["-h", address, "-p", port, "-n", "9", "DBSIZE"]).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try await TestRedisServer.redisCli(["-h", address, "-p", port, "-n", "0", "DBSIZE"]).trimmingCharacters(in: .whitespacesAndNewlines) == before, "nothing written to database 0")
    }
}
