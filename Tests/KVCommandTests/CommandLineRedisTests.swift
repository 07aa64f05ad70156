import Foundation
import KVTestSupport
import Testing

/// The `kv` tool against a real server: values persist across invocations, and store errors exit 3.
@Suite(.serialized) struct CommandLineRedisTests {
    let store = TestServers.redisArgument + "/4"

    @Test func setGetDelAcrossInvocations() async throws {
        let key = "cli:\(UUID())"
        #expect(try await CommandRunner.run(["set", key, "-", "--store", store], stdin: [0, 13, 10, 255]).status == 0)
        let read = try await CommandRunner.run(["get", key, "--store", store])
        #expect(read.status == 0)
        #expect(read.stdout == [0, 13, 10, 255], "raw bytes, no added newline when piped")
        let absent = try await CommandRunner.run(["set", key, "x", "--if-absent", "--store", store])
        #expect(absent.status == 1)
        #expect(try await CommandRunner.run(["list", "cli:", "--store", store]).text.contains(key))
        #expect(try await CommandRunner.run(["del", key, key + "-missing", "--store", store]).text == "1\n")
        #expect(try await CommandRunner.run(["get", key, "--store", store]).status == 1)
    }

    @Test func envSelectsTheStore() async throws {
        let key = "cli-env:\(UUID())"
        #expect(try await CommandRunner.run(["mset", key, "1"], environment: ["KV_STORE": store]).status == 0)
        #expect(try await CommandRunner.run(["mget", key, "--json"], environment: ["KV_STORE": store]).text == "{\"\(key)\":\"1\"}\n")
        _ = try await CommandRunner.run(["del", key], environment: ["KV_STORE": store])
    }

    @Test func locateNamesHostAndPort() async throws {
        let result = try await CommandRunner.run(["locate", "k", "--json", "--store", store])
        let hostPort = store.dropFirst("redis://".count).prefix { $0 != "/" }
        #expect(result.text == "{\"key\":\"k\",\"node\":\"\(hostPort)\"}\n")
    }

    @Test func unreachableStoreExitsThreeAndUnhealthyExitsOne() async throws {
        let port = try TestRedisServer.freePort()
        let get = try await CommandRunner.run(["get", "k", "--store", "redis://127.0.0.1:\(port)?connectTimeout=200ms"])
        #expect(get.status == 3)
        #expect(get.stderr.contains("127.0.0.1:\(port)") && get.stderr.contains("refused"), "\(get.stderr)")
        let health = try await CommandRunner.run(["health", "--json", "--store", "redis://127.0.0.1:\(port)?connectTimeout=200ms"])
        #expect(health.status == 1)
        #expect(health.text.contains("\"unhealthy\""))
    }

    @Test func degradedStoreSaysSoFirstAndExitsZero() async throws {
        let live = try TestServers.redisURL.dropFirst("redis://".count)
        let dead = try TestRedisServer.freePort()
        let result = try await CommandRunner.run(["health", "--store", "ring://a=\(live),b=127.0.0.1:\(dead)?connectTimeout=200ms"])
        #expect(result.status == 0, "only an unhealthy store exits 1: \(result.text)")
        let lines = result.text.split(separator: "\n")
        #expect(lines.first == "ring: degraded", "\(result.text)")
        #expect(lines.count == 3)
    }

    @Test func soakReportsNoCorruption() async throws {
        let result = try await CommandRunner.run(["soak", "--duration", "1", "--tasks", "4", "--keys", "10", "--json", "--store", store])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        #expect(object?["corrupt"] as? Int == 0)
        #expect((object?["ok"] as? Int ?? 0) > 0)
        #expect(object?["maxGapMs"] != nil)
    }

    @Test func benchPrintsRedisRowsBesideRawC() async throws {
        let result = try await CommandRunner.run(["bench", "--count", "2000", "--json", "--store", store], timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        let rows = object?["rows"] as? [[String: Any]] ?? []
        let names = rows.compactMap { $0["workload"] as? String }
        #expect(names == ["set-pipelined", "get-sequential", "get-sequential-affine", "thread-handoff", "get-concurrent-64", "set-concurrent-64", "incr-sequential", "incr-concurrent-64", "cas-concurrent-64", "getOrLoad-hit", "watch-signal-after-ack", "watch-changes-pipelined"])
        let signal = rows.first { $0["workload"] as? String == "watch-signal-after-ack" }
        #expect(signal?["p99Microseconds"] as? Double != nil, "the watch's signal latency")
        let sequential = rows.first { $0["workload"] as? String == "get-sequential" }
        let references = (sequential?["comparisons"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
        #expect(references.contains("hiredis-c"))
        #expect(references.contains("redis-benchmark"))
        let handoff = rows.first { $0["workload"] as? String == "thread-handoff" }
        #expect((handoff?["opsPerSecond"] as? Double ?? 0) > 0)
        #expect(handoff?["p50Microseconds"] as? Double != nil, "the hand-off floor has latencies to read get-sequential against")
    }
}

/// `kv rebalance` on the shared ring: keys written to two shards move when the third joins.
@Suite(.serialized) struct CommandLineRingTests {
    @Test func rebalanceMovesKeysAndLocateNamesShards() async throws {
        let ring = try TestServers.ringURL
        let twoShards = ring.components(separatedBy: ",").prefix(2).joined(separator: ",") + "?database=6"
        let threeShards = ring + "?database=6"
        let keys = (0..<300).map { "rebalance-cli:\($0)" }
        var pairs: [String] = []
        for key in keys { pairs += [key, "v-\(key)"] }
        #expect(try await CommandRunner.run(["mset"] + pairs + ["--store", twoShards]).status == 0)
        let result = try await CommandRunner.run(["rebalance", "--from", twoShards, "--json", "--store", threeShards])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        let moved = report?["moved"] as? Int ?? 0
        #expect(moved > 50 && moved < 200, "about a third moves to shard3: \(result.text)")
        let located = try await CommandRunner.run(["locate"] + keys.prefix(3) + ["--json", "--store", threeShards])
        #expect(located.text.split(separator: "\n").allSatisfy { $0.contains("\"node\":\"shard") })
        let read = try await CommandRunner.run(["mget"] + keys + ["--json", "--store", threeShards])
        #expect(read.status == 0, "every key readable after the rebalance")
        _ = try await CommandRunner.run(["del"] + keys + ["--store", threeShards])
    }
}
