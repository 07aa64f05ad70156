#if Redis
import KV
import KVRedisCore
import KVRedisConfiguration
#if Redis
import KVCluster
#endif

/// Cluster rows beside `redis-benchmark --cluster` with the same client count, measured in the same run.
enum ClusterBench {
    static func rows(store: KVClusterStore, count: Int, progress: (String) -> Void) async throws -> [BenchRow] {
        let value = [UInt8](repeating: 0x63, count: 100)
        let keys = (0..<count).map { "kvbench:cluster:\($0)" }
        let seedConnection = RedisConnectionConfiguration(endpoint: store.options.seeds[0], settings: store.options.node)
        var rows: [BenchRow] = []

        progress("cluster set-pipelined")
        let entries = keys.map { KVEntry($0, value) }
        let pipelined = try await BenchMeasurement.batch(count) { try await store.batchSet(entries) }
        let benchPipelined = await RedisBenchmarkTool.run(seedConnection, clients: 1, pipeline: 1000, count: count, tests: ["SET"], cluster: true)
        rows.append(BenchRow("set-pipelined", backend: "cluster", pipelined).compared(with: "redis-benchmark --cluster", opsPerSecond: benchPipelined?["SET"]))

        let bench64 = await RedisBenchmarkTool.run(seedConnection, clients: 64, pipeline: 1, count: count, tests: ["GET", "SET"], cluster: true)
        progress("cluster get-concurrent-64")
        let gets = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.get(keys[i % keys.count]) }
        rows.append(BenchRow("get-concurrent-64", backend: "cluster", gets).compared(with: "redis-benchmark --cluster", opsPerSecond: bench64?["GET"], target: 2))

        progress("cluster set-concurrent-64")
        let sets = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.set(keys[i % keys.count], value, options: .default) }
        rows.append(BenchRow("set-concurrent-64", backend: "cluster", sets).compared(with: "redis-benchmark --cluster", opsPerSecond: bench64?["SET"], target: 2))

        progress("cleanup")
        _ = try await store.batchDelete(keys)
        try await RedisBenchmarkTool.cleanUp(store)
        return rows
    }
}
#endif
