import Foundation
import KVTestSupport
import Testing

/// Each example runs to completion on the memory store and on the shared Redis.
@Suite(.serialized) struct ExamplesTests {
    static let stores: [(String, [String: String])] = [("memory", [:]), ("redis", ["KV_STORE": TestServers.redisArgument + "/5"])]

    @Test(arguments: stores.map(\.0))
    func sessionStore(_ name: String) async throws {
        let result = try await CommandRunner.run([], program: "SessionStore", environment: Self.environment(name))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("creating s-1 again with onlyIfAbsent wrote: false"))
        #expect(result.text.contains("s-2 is expired"))
    }

    @Test(arguments: stores.map(\.0))
    func batchPipeline(_ name: String) async throws {
        let result = try await CommandRunner.run(["--count", "20000"], program: "BatchPipeline", environment: Self.environment(name), timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("20000 read back, all equal: true"))
        #expect(result.text.contains("keys/s"))
    }

    @Test func backendSwapListsWhatItReached() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swap-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let memory = directory.appendingPathComponent("memory.yaml"), redis = directory.appendingPathComponent("redis.json")
        let closed = directory.appendingPathComponent("closed.yaml")
        try "store: memory://\n".write(to: memory, atomically: true, encoding: .utf8)
        try "{\"store\": \"\(TestServers.redisURL)/5\"}".write(to: redis, atomically: true, encoding: .utf8)
        try "store: redis://127.0.0.1:\(try TestRedisServer.freePort())\noptions:\n  connectTimeout: 200ms\n".write(to: closed, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.run([memory.path, redis.path, closed.path], program: "BackendSwap")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("reachable backends: memory, redis"), "\(result.text)")
        #expect(result.text.contains("closed.yaml: redis:// not reachable"))
    }

    @Test(arguments: stores.map(\.0))
    func healthMonitor(_ name: String) async throws {
        let result = try await CommandRunner.run(["--reports", "2", "--interval", "0.1"], program: "HealthMonitor", environment: Self.environment(name))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("store: unknown → healthy"), "\(result.text)")
        #expect(result.text.contains("last report: \(name) is healthy"), "\(result.text)")
        #expect(result.text.contains("stopped cleanly"))
    }

    /// Subprocess sends SIGTERM when its time limit passes (and SIGKILL 2 s later): the monitor must stop
    /// cleanly on the first, with exit status 0 (a SIGKILL would give 9).
    @Test func healthMonitorStopsCleanlyOnSIGTERM() async throws {
        let executable = CommandRunner.executable("HealthMonitor")
        let result = try await offPool { try Subprocess.run(executable, ["--interval", "0.1"], timeout: 0.7) }
        #expect(result.timedOut, "it ran until the SIGTERM")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("stopped cleanly"), "\(result.text)")
    }

    static func environment(_ name: String) -> [String: String] {
        stores.first { $0.0 == name }?.1 ?? [:]
    }
}
