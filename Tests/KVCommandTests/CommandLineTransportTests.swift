import Foundation
import KVTestSupport
import Testing

/// kv health, locate, soak and bench on the new URL forms: rediss:// and unix://.
@Suite(.serialized) struct CommandLineTransportTests {
    @Test func everyToolWorksOverTLSAndAUnixSocket() async throws {
        let tls = try await offPool { try TestTLS() }
        defer { withExtendedLifetime(tls) {} }  // its files must outlive every store that reads them
        let tlsPort = try TestRedisServer.freePort()
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("kv-cli-\(UUID().uuidString.prefix(8)).sock").path
        let server = try await TestRedisServer.launch(tls.serverArguments(port: tlsPort) + ["--unixsocket", socket, "--unixsocketperm", "700"])
        defer { server.stop() }
        for store in ["rediss://127.0.0.1:\(tlsPort)/2?\(tls.trustQuery)", "unix://\(socket)?database=3"] {
            let health = try await CommandRunner.run(["health", "--store", store])
            #expect(health.status == 0 && health.text.hasPrefix("redis: healthy"), "\(store): \(health.text) \(health.stderr)")
            let locate = try await CommandRunner.run(["locate", "k", "--json", "--store", store])
            #expect(locate.status == 0 && locate.text.contains("\"node\""), "\(store): \(locate.stderr)")
            let soak = try await CommandRunner.run(["soak", "--duration", "0.5", "--tasks", "4", "--keys", "10", "--json", "--store", store])
            let report = (try? JSONSerialization.jsonObject(with: Data(soak.stdout))) as? [String: Any]
            #expect(soak.status == 0 && (report?["corrupt"] as? Int) == 0 && (report?["ok"] as? Int ?? 0) > 0, "\(store): \(soak.status) \(soak.text) \(soak.stderr)")
            let bench = try await CommandRunner.run(["bench", "--count", "300", "--json", "--store", store], timeout: 120)
            let rows = ((try? JSONSerialization.jsonObject(with: Data(bench.stdout))) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
            #expect(bench.status == 0 && rows.count == 12, "\(store): \(bench.status) \(bench.stderr)")
            #expect(try await CommandRunner.run(["incr", "n", "--store", store]).text == "1\n")
            _ = try await CommandRunner.run(["del", "n", "--store", store])
        }
        #expect(try await server.cli("-n", "2", "DBSIZE").trimmingCharacters(in: .newlines) == "0", "the TLS runs cleaned up")
        #expect(try await server.cli("-n", "3", "DBSIZE").trimmingCharacters(in: .newlines) == "0", "the Unix runs cleaned up")
    }
}

/// kv health, locate, soak and bench on a sentinel:// store.
@Suite(.serialized) struct CommandLineSentinelTests {
    @Test func everyToolWorksThroughSentinel() async throws {
        let group = try await TestSentinelGroup.launch()
        let store = group.url
        let health = try await CommandRunner.run(["health", "--store", store])
        #expect(health.status == 0 && health.text.hasPrefix("sentinel: healthy"), "\(health.text) \(health.stderr)")
        #expect(health.text.components(separatedBy: "sentinel\n").count - 1 == 3, "three sentinels listed: \(health.text)")
        let locate = try await CommandRunner.run(["locate", "k", "--store", store])
        #expect(locate.status == 0 && locate.text.contains("127.0.0.1:\(group.master.port)"), "\(locate.text) \(locate.stderr)")
        let soak = try await CommandRunner.run(["soak", "--duration", "0.5", "--tasks", "4", "--keys", "10", "--json", "--store", store])
        let report = (try? JSONSerialization.jsonObject(with: Data(soak.stdout))) as? [String: Any]
        #expect(soak.status == 0 && (report?["corrupt"] as? Int) == 0 && (report?["ok"] as? Int ?? 0) > 0, "\(soak.status) \(soak.stderr)")
        let bench = try await CommandRunner.run(["bench", "--count", "300", "--json", "--store", store], timeout: 120)
        let rows = ((try? JSONSerialization.jsonObject(with: Data(bench.stdout))) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
        #expect(bench.status == 0 && rows.count == 2, "\(bench.stderr)")
        #expect(try await group.master.cli("DBSIZE").trimmingCharacters(in: .newlines) == "0", "bench and soak cleaned up")
    }
}
