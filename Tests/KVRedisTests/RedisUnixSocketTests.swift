import Foundation
import KVCore
import KVRedis
import KVTestSupport
import Testing

/// `unix:///path` on a real server listening on a Unix-domain socket.
@Suite struct RedisUnixSocketTests {
    @Test func storeOverAUnixSocket() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kv-\(UUID().uuidString.prefix(8)).sock").path
        let server = try await TestRedisServer.launch(["--unixsocket", path, "--unixsocketperm", "700"])
        defer { server.stop() }
        let store = try await KVBackendRegistry([KVRedisUnixBackend()]).open(try KVConfiguration(url: "unix://\(path)?database=4&poolSize=2"))
        try await withShutdown(store) { () async throws in
            try await store.set("over-unix", [1, 2, 3])
            #expect(try await store.get("over-unix") == [1, 2, 3])
            #expect(try await server.cli("-n", "4", "GET", "over-unix").trimmingCharacters(in: .newlines) == "\u{1}\u{2}\u{3}")
            let health = try await store.health()
            #expect(health.status == .healthy && health.nodes.first?.name.contains(path) == true, "\(health)")
            let missing = try await KVBackendRegistry([KVRedisUnixBackend()]).open(try KVConfiguration(url: "unix:///nonexistent/redis.sock?connectTimeout=200ms"))
            try await withShutdown(missing) { () async throws in
                await #expect { _ = try await missing.get("k") } throws: { ($0 as? KVError)?.code == .connectionFailed && "\($0)".contains("/nonexistent/redis.sock") }
                await #expect { _ = try await KVBackendRegistry([KVRedisUnixBackend()]).open(try KVConfiguration(url: "unix://host/x")) } throws: {
                    ($0 as? KVError)?.code == .invalidConfiguration
                }
            }
        }
    }
}
