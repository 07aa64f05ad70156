import Foundation
import Testing
import KVTestSupport

/// The `kv` interface other tools drive: output formats and exit codes.
/// Each test uses a configuration file for a store that outlives one process where it needs one;
/// on `memory://` every invocation starts empty, so these check the per-call contract.
@Suite struct CommandLineContractTests {
    @Test func getOfAMissingKeyExitsOne() async throws {
        let result = try await CommandRunner.run(["get", "nope"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("not found"))
    }

    @Test func setPrintsOK() async throws {
        let result = try await CommandRunner.run(["set", "k", "v", "--ttl", "5"])
        #expect(result.status == 0)
        #expect(result.text == "OK\n")
    }

    @Test func setReadsRawBytesFromStdin() async throws {
        let result = try await CommandRunner.run(["set", "k", "-"], stdin: [0, 13, 10, 255])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func conflictingFlagsAreUsageErrors() async throws {
        let result = try await CommandRunner.run(["set", "k", "v", "--if-absent", "--if-present"])
        #expect(result.status == 2)
        #expect(!result.stderr.isEmpty)
    }

    @Test func unknownCommandIsAUsageError() async throws {
        #expect(try await CommandRunner.run(["frobnicate"]).status == 2)
        #expect(try await CommandRunner.run(["mset", "k"]).status == 2)
    }

    @Test func badStoreURLExitsTwoWithOneLine() async throws {
        let result = try await CommandRunner.run(["get", "k", "--store", "nosuch://x"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("memory://"), "lists known forms: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try await CommandRunner.run(["get", "k"], environment: ["KV_STORE": "bogus"]).status == 2)
    }

    @Test func emptyKeyIsAUsageError() async throws {
        #expect(try await CommandRunner.run(["get", ""]).status == 2)
    }

    @Test func delPrintsTheCount() async throws {
        let result = try await CommandRunner.run(["del", "a", "b"])
        #expect(result.status == 0)
        #expect(result.text == "0\n")
    }

    @Test func msetThenMgetOfMissingKeysExitsOne() async throws {
        #expect(try await CommandRunner.run(["mset", "a", "1", "b", "2"]).text == "OK\n")
        let result = try await CommandRunner.run(["mget", "a", "--json"])
        #expect(result.status == 1)
        #expect(result.text == "{\"a\":null}\n")
    }

    @Test func listPrintsNothingOnAnEmptyStore() async throws {
        let result = try await CommandRunner.run(["list", "x"])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }

    @Test func healthJSONIsOneObject() async throws {
        let result = try await CommandRunner.run(["health", "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        #expect(object?["status"] as? String == "healthy")
        #expect((object?["nodes"] as? [[String: Any]])?.first?["name"] as? String == "memory")
        #expect(result.text.filter { $0 == "\n" }.count == 1)
    }

    @Test func healthTextIsTheOverallStatusThenOneLinePerNode() async throws {
        let result = try await CommandRunner.run(["health"])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "memory: healthy", "the overall status comes first, uncoloured off a terminal")
        #expect(lines.last?.hasPrefix("memory") == true)
    }

    @Test func locateJSONIsOneObjectPerLine() async throws {
        let result = try await CommandRunner.run(["locate", "a", "b c", "--json"])
        #expect(result.status == 0)
        #expect(result.text == "{\"key\":\"a\",\"node\":\"memory\"}\n{\"key\":\"b c\",\"node\":\"memory\"}\n")
    }

    @Test func configFileSelectsTheStore() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kv-\(UUID()).yaml").path
        try "store: memory://\noptions:\n  maxEntries: 10\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try await CommandRunner.run(["health", "--config", path]).status == 0)
        try "store: memory://\noptions:\n  bogus: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try await CommandRunner.run(["health", "--config", path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("maxEntries"))
    }

    @Test func demoRunsToTheEnd() async throws {
        let result = try await CommandRunner.run(["demo"], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("every value matches: true"))
        #expect(result.text.contains("after 900 ms: expired"))
        #expect(result.text.contains("Done."))
    }

    @Test func benchPrintsMemoryRowsWithRatios() async throws {
        let result = try await CommandRunner.run(["bench", "--count", "2000", "--json"], timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        let rows = object?["rows"] as? [[String: Any]] ?? []
        #expect(rows.count >= 5)
        for row in rows {
            let comparison = (row["comparisons"] as? [[String: Any]])?.first
            // The cache-aside row is held to a plain KVClient.get on the same store; the others to a locked dictionary.
            let reference = row["workload"] as? String == "getOrLoad-hit" ? "KVClient.get" : "dictionary+mutex"
            #expect(comparison?["reference"] as? String == reference)
            #expect((comparison?["ratio"] as? Double ?? 0) > 0)
        }
    }
}

/// Numeric flags at their extremes exit 2 with a message naming the range, never trap.
@Suite struct CommandLineExtremeValueTests {
    @Test(arguments: [
        ["set", "k", "v", "--ttl", "1e10"], ["set", "k", "v", "--ttl", "nan"], ["set", "k", "v", "--ttl=-1"],
        ["set", "k", "v", "--ttl", "inf"], ["mset", "k", "v", "--ttl", "1e300"], ["soak", "--duration", "1e300"],
        ["get", "k", "--store", "redis://127.0.0.1:1?commandTimeout=1e10"],
    ])
    func extremeNumbersAreUsageErrors(_ arguments: [String]) async throws {
        let result = try await CommandRunner.run(arguments)
        #expect(result.status == 2, "\(arguments): exit \(result.status), \(result.stderr)")
        #expect(result.stderr.contains("at most"), "names the range: \(result.stderr)")
    }
}
