import Foundation
import KVTestSupport
import Testing

/// `kv soak --workload stampede` in several processes at once against one Redis: with `--lease` the processes
/// load a missing key once between them, also when the process holding the lease dies mid-load.
@Suite(.serialized) struct StampedeTests {
    struct Report: Decodable {
        struct Stampede: Decodable {
            var callers: Int
            var served: Int
            var loadsHere: Int
            var loadsEverywhere: Int64
        }
        var stampede: Stampede
    }

    static func stampede(_ url: String, prefix: String, loadMs: Int, timeout: TimeInterval = 60) async throws -> Subprocess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["KV_STORE"] = nil
        let arguments = ["soak", "--store", url, "--workload", "stampede", "--tasks", "100", "--lease", "--key-prefix", prefix, "--load-ms", "\(loadMs)", "--json"]
        return try await offPool { [environment] in
            try Subprocess.run(CommandRunner.executable("kv"), arguments, environment: environment, timeout: timeout)
        }
    }

    /// The shared Redis and ring, and the shared cluster that `make test` starts.
    static let stores = [TestServers.redisArgument, TestServers.ringArgument] + (ProcessInfo.processInfo.environment["KV_TEST_CLUSTER"].map { [$0] } ?? [])

    @Test(arguments: stores) func fourProcessesOfAHundredCallersLoadOnce(url: String) async throws {
        let prefix = "stampede:\(UInt32.random(in: 0...UInt32.max)):"
        let results = try await withThrowingTaskGroup(of: Subprocess.Result.self) { group in
            for _ in 0..<4 { group.addTask { try await Self.stampede(url, prefix: prefix, loadMs: 500) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let reports = try results.map { try JSONDecoder().decode(Report.self, from: Data($0.stdout)).stampede }
        let loads = reports.map(\.loadsHere).reduce(0, +)
        print("stampede on \(url.prefix(while: { $0 != ":" })), 4 processes x 100 callers with a lease: \(loads) loads in all, served \(reports.map(\.served))")
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        #expect(reports.allSatisfy { $0.served == 100 })
        #expect(loads == 1 && reports.allSatisfy { $0.loadsEverywhere == 1 }, "\(reports.map { ($0.loadsHere, $0.loadsEverywhere) })")
    }

    @Test func whenTheHolderDiesMidLoadOneMoreLoadsAtMost() async throws {
        let url = try TestServers.redisURL
        let prefix = "stampede:\(UInt32.random(in: 0...UInt32.max)):"
        // The first process takes the lease (4 s: its 3 s load plus 1 s) and is ended (SIGTERM, no cleanup) at
        // 2.5 s, mid-load; the others, waiting up to 6 s, see the lease expire and one of them loads.
        let holder = Task { try await Self.stampede(url, prefix: prefix, loadMs: 3000, timeout: 2.5) }
        let loading = await eventually(within: .seconds(2.5)) {
            (try? await TestRedisServer.redisCli(["-u", url, "GET", prefix + "stampede:loads"]))?.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        }
        let results = try await withThrowingTaskGroup(of: Subprocess.Result.self) { group in
            for _ in 0..<3 { group.addTask { try await Self.stampede(url, prefix: prefix, loadMs: 1000) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let killed = try await holder.value
        let reports = try results.map { try JSONDecoder().decode(Report.self, from: Data($0.stdout)).stampede }
        let everywhere = reports.map(\.loadsEverywhere).max() ?? 0
        let survivors = reports.map(\.loadsHere).reduce(0, +)
        print("stampede with the lease holder killed mid-load: \(everywhere) loads in all (the killed one's included: \(loading)), survivors loaded \(reports.map(\.loadsHere))")
        #expect(killed.timedOut, "the holder was ended before its load finished")
        #expect(results.allSatisfy { $0.status == 0 } && reports.allSatisfy { $0.served == 100 }, "\(results.map(\.stderr))")
        // At most one more load than the holder's: one survivor took over its expired lease.
        #expect(survivors == 1 && everywhere == (loading ? 2 : 1), "\(reports.map { ($0.loadsHere, $0.loadsEverywhere) })")
    }
}
