import CHiredisBaseline
import KV

/// Redis rows, each beside raw-C hiredis and `redis-benchmark`, measured in the same run.
enum RedisBench {
    static func rows(store: RedisStore, count: Int, progress: (String) -> Void) async throws -> [BenchRow] {
        let endpoint = store.options.connection.endpoint
        let value = [UInt8](repeating: 0x78, count: 100)
        let prefix = "kvbench:"
        let keys = (0..<count).map { "\(prefix)\($0)" }
        var rows: [BenchRow] = []

        progress("set-pipelined")
        let entries = keys.map { KVEntry($0, value) }
        let setPipelined = try await BenchMeasurement.batch(count) { try await store.batchSet(entries, options: .default) }
        let cSetSeconds = kv_baseline_set_pipelined(endpoint.host, Int32(endpoint.port), prefix, Int32(count), 1000, 100)
        let benchPipelined = RedisBenchmarkTool.run(host: endpoint.host, port: endpoint.port, clients: 1, pipeline: 1000, count: count, tests: "set")
        rows.append(
            BenchRow("set-pipelined", backend: "redis", setPipelined)
                .compared(with: "hiredis-c", opsPerSecond: cSetSeconds > 0 ? Double(count) / cSetSeconds : nil, target: 0.9)
                .compared(with: "redis-benchmark", opsPerSecond: benchPipelined?["SET"]))

        progress("get-sequential")
        let sequential = try await BenchMeasurement.sequential(count) { i in _ = try await store.get(keys[i]) }
        let cGetSeconds = kv_baseline_get_sequential(endpoint.host, Int32(endpoint.port), prefix, Int32(count), nil)
        let cGet = cGetSeconds > 0 ? Double(count) / cGetSeconds : nil
        let benchSequential = RedisBenchmarkTool.run(host: endpoint.host, port: endpoint.port, clients: 1, pipeline: 1, count: count, tests: "get")
        rows.append(
            BenchRow("get-sequential", backend: "redis", sequential)
                .compared(with: "hiredis-c", opsPerSecond: cGet, target: 0.65)
                .compared(with: "redis-benchmark", opsPerSecond: benchSequential?["GET"]))

        progress("get-sequential-affine")
        let affine = try await store.withAffinity {
            try await BenchMeasurement.sequential(count) { i in _ = try await store.get(keys[i]) }
        }
        rows.append(
            BenchRow("get-sequential-affine", backend: "redis", affine)
                .compared(with: "hiredis-c", opsPerSecond: cGet, target: 0.9)
                .compared(with: "redis-benchmark", opsPerSecond: benchSequential?["GET"]))

        let bench64 = RedisBenchmarkTool.run(host: endpoint.host, port: endpoint.port, clients: 64, pipeline: 1, count: count, tests: "get,set")
        progress("get-concurrent-64")
        let getConcurrent = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.get(keys[i % keys.count]) }
        rows.append(BenchRow("get-concurrent-64", backend: "redis", getConcurrent).compared(with: "redis-benchmark", opsPerSecond: bench64?["GET"], target: 3))

        progress("set-concurrent-64")
        let setConcurrent = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.set(keys[i % keys.count], value, options: .default) }
        rows.append(BenchRow("set-concurrent-64", backend: "redis", setConcurrent).compared(with: "redis-benchmark", opsPerSecond: bench64?["SET"], target: 3))

        progress("cleanup")
        _ = try await store.batchDelete(keys)
        return rows
    }
}
