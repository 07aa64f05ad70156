import KVCore
import KVRedisConfiguration
import KVRedis
import KVRedisCore
import KVSoak
import KVTestSupport
import Logging
import Synchronization
import Testing

/// `kv soak`'s engine against a real server while it is paused and restarted.
@Suite struct RedisFaultTests {
    static func store(_ server: TestRedisServer) -> KVRedisStore {
        KVRedisStore(options: .init(
            endpoint: KVEndpoint(host: "127.0.0.1", port: server.port),
            node: KVRedisNodeConfiguration(
                connectTimeout: .milliseconds(300), commandTimeout: .milliseconds(300), reconnectDelay: .milliseconds(20), maxReconnectDelay: .milliseconds(200))))
    }

    @Test func soakThroughAPauseHasNoCorruptOrLostValues() async throws {
        let server = try await TestRedisServer.launch()
        let store = Self.store(server)
        try await withShutdown(store) { () async throws in
            let faults = Task {
                try await Task.sleep(for: .milliseconds(800))
                server.pause()
                try await Task.sleep(for: .milliseconds(1000))
                server.resume()
            }
            let report = await KVSoakRunner(store: store, configuration: .init(duration: .seconds(3), tasks: 16, keys: 20)).run()
            try await faults.value
            #expect(report.corrupt == 0, "\(report.summary)")
            #expect(report.missing == 0 && report.stale == 0, "a pause loses nothing: \(report.summary)")
            #expect((report.errors["timeout"] ?? 0) > 0, "the pause was felt: \(report.summary)")
            #expect(report.maxGapMs >= 700 && report.maxGapMs < 2500, "\(report.summary)")
            #expect(report.ok > 1000, "\(report.summary)")
        }
    }

    @Test func soakThroughARestartRecoversByItself() async throws {
        let server = try await TestRedisServer.launch()
        let store = Self.store(server)
        try await withShutdown(store) { () async throws in try await Self.soakThroughARestart(store, server) }
    }

    /// The soak of ``soakThroughARestartRecoversByItself()`` (a function of its own: the same code in the
    /// closure crashes Swift 6.3.1's region-isolation pass).
    static func soakThroughARestart(_ store: KVRedisStore, _ server: TestRedisServer) async throws {
        let progress = Locked<[KVSoakReport]>([])
        let faults = Task {
            try await Task.sleep(for: .milliseconds(700))
            await server.kill()
            try await Task.sleep(for: .milliseconds(600))
            try await server.restart()
        }
        let report = await KVSoakRunner(store: store, configuration: .init(duration: .seconds(4), tasks: 8, keys: 20)).run { snapshot in
            progress.withLock { $0.append(snapshot) }
        }
        try await faults.value
        let snapshots = progress.value
        #expect(report.corrupt == 0, "\(report.summary)")
        #expect((report.errors["connection failed"] ?? 0) + (report.errors["timeout"] ?? 0) > 0, "\(report.summary)")
        // After the restart (at about 1.3 s), writes are acknowledged again with no help.
        let atTwoSeconds = snapshots.first { $0.seconds >= 2.5 }?.writes ?? report.writes
        #expect(report.writes > atTwoSeconds, "writes resumed after the restart: \(snapshots.map(\.summary))")
        #expect(report.maxGapMs < 3000, "\(report.summary)")
    }
}
