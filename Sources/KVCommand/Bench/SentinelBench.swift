#if Redis
import KV
import KVRedisCore
import KVRedisConfiguration
#if Redis
import KVSentinel
#endif

/// Sentinel rows: the concurrent workloads through the store (which finds the master through the sentinels)
/// beside `redis-benchmark` on that master, measured in the same run.
enum SentinelBench {
    static func rows(store: KVSentinelStore, count: Int, progress: (String) -> Void) async throws -> [BenchRow] {
        let value = [UInt8](repeating: 0x73, count: 100)
        let keys = (0..<count).map { "kvbench:sentinel:\($0)" }
        try await store.batchSet(keys.map { KVEntry($0, value) })
        let master = RedisConnectionConfiguration(endpoint: try KVEndpoint(parsing: try await store.locate(keys[0]).node), settings: store.options.node)
        let bench64 = await RedisBenchmarkTool.run(master, clients: 64, pipeline: 1, count: count, tests: ["GET", "SET"])
        progress("sentinel get-concurrent-64")
        let get = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.get(keys[i % keys.count]) }
        progress("sentinel set-concurrent-64")
        let set = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.set(keys[i % keys.count], value, options: .default) }
        _ = try await store.batchDelete(keys)
        try await RedisBenchmarkTool.cleanUp(store)
        return [
            BenchRow("get-concurrent-64", backend: "sentinel", get).compared(with: "redis-benchmark (master)", opsPerSecond: bench64?["GET"]),
            BenchRow("set-concurrent-64", backend: "sentinel", set).compared(with: "redis-benchmark (master)", opsPerSecond: bench64?["SET"]),
        ]
    }
}
#endif
