import ArgumentParser
import Foundation
import KV
#if Redis
import KVRedis
#if Redis
import KVRing
#if Redis
import KVCluster
#if Redis
import KVSentinel
#endif
#endif
#endif
#endif

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure ops/s and latency on the configured store, beside references measured in the same run.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Operations per workload.") var count = 100_000
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(name: .customLong("compare-store"), help: "Also run the concurrent rows on this store (say, the same server's plaintext port for a rediss:// store) and give each row's ratio to it.")
    var compareStore: String?

    struct Report: Codable {
        var store: String
        var machine: String
        var rows: [BenchRow]
    }

    func validate() throws {
        if count < 64 { throw ValidationError("--count must be at least 64") }
    }

    func run() async throws {
        let configuration = try storeOptions.configuration()
        let quiet = json
        var compare: (any KVStore)?
        if let compareStore { compare = try await KVStores.open(compareStore, logger: storeOptions.logger) }
        let rows: [BenchRow]
        do {
            rows = try await storeOptions.withStore { store in
                try await Self.measure(store: store, scheme: configuration.scheme, count: count, compare: compare) { step in
                    if !quiet { Output.progress("bench: \(step)…") }
                }
            }
            await compare?.shutdown()
        } catch {
            await compare?.shutdown()
            throw error
        }
        Output.endProgress()
        let report = Report(store: configuration.description, machine: Self.machine(), rows: rows)
        if json {
            try Output.json(report)
        } else {
            Output.line("kv bench on \(report.store), \(report.machine)")
            Output.line(BenchTable.render(rows))
        }
    }

    /// Runs off the main actor so that no row pays a hop back to the main thread.
    nonisolated static func measure(store: any KVStore, scheme: String, count: Int, compare: (any KVStore)? = nil, progress: (String) -> Void) async throws -> [BenchRow] {
        if compare != nil, !["redis", "rediss", "unix"].contains(scheme) {
            throw KVError.invalidConfiguration("--compare-store is for redis://, rediss:// and unix:// stores")
        }
        return switch scheme {
        case "memory": try await MemoryBench.rows(store: store, count: count, progress: progress)
        #if Redis
        case "redis", "rediss", "unix": try await RedisBench.rows(store: store as! KVRedisStore, count: count, compare: compare, progress: progress)
        case "ring": try await RingBench.rows(store: store as! KVRingStore, count: count, progress: progress)
        case "cluster": try await ClusterBench.rows(store: store as! KVClusterStore, count: count, progress: progress)
        case "sentinel": try await SentinelBench.rows(store: store as! KVSentinelStore, count: count, progress: progress)
        #endif
        default: throw KVError.invalidConfiguration("kv bench has no workloads for \(scheme):// yet")
        }
    }

    static func machine() -> String {
        let info = ProcessInfo.processInfo
        return "\(info.activeProcessorCount) cores, \(info.physicalMemory / 1_073_741_824) GiB, \(info.operatingSystemVersionString)"
    }
}
