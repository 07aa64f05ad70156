#if Redis
import KV
import KVMemory
import KVRedis
import KVRedisCore

/// Near-cache rows (`nearCache=on`): hot-key gets through `any KVStore` on the caching store, beside the same
/// server without the cache and the memory store, rounds interleaved in the same run.
enum NearCacheBench {
    static let hotKeys = 100

    static func rows(cached: KVRedisStore, uncached: KVRedisStore, backend: String, count: Int, progress: (String) -> Void) async throws -> [BenchRow] {
        let value = [UInt8](repeating: 0x6E, count: 100)
        let keys = (0..<hotKeys).map { "kvbench:near:\($0)" }
        let memory = KVMemoryStore(options: .init())
        try await uncached.batchSet(keys.map { KVEntry($0, value) }, options: .default)
        try await memory.batchSet(keys.map { KVEntry($0, value) }, options: .default)
        progress("near cache: waiting for the invalidation connection")
        for _ in 0..<100 where cached.client.nearCache?.status != .armed { try await Task.sleep(for: .milliseconds(50)) }
        guard cached.client.nearCache?.status == .armed else {
            throw KVError(.unavailable, "the near cache is not armed: \(cached.client.nearCache?.status.description ?? "off")", node: cached.node)
        }
        let stores: (cached: any KVStore, uncached: any KVStore, memory: any KVStore) = (cached, uncached, memory)
        for key in keys { _ = try await stores.cached.get(key) }

        let uncachedCount = min(count, 20_000)
        var cachedRounds: [BenchMeasurement] = [], uncachedRounds: [BenchMeasurement] = [], memoryRounds: [BenchMeasurement] = []
        for round in 0..<3 {
            progress("near-cache get-sequential, round \(round + 1) of 3")
            cachedRounds.append(try await BenchMeasurement.sequential(count) { i in _ = try await stores.cached.get(keys[i % keys.count]) })
            uncachedRounds.append(try await BenchMeasurement.sequential(uncachedCount / 3) { i in _ = try await stores.uncached.get(keys[i % keys.count]) })
            memoryRounds.append(try await BenchMeasurement.sequential(count) { i in _ = try await stores.memory.get(keys[i % keys.count]) })
        }
        progress("near-cache get-concurrent-64")
        let cachedConcurrent = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await stores.cached.get(keys[i % keys.count]) }
        let uncachedConcurrent = try await BenchMeasurement.concurrent(tasks: 64, uncachedCount) { i in _ = try await stores.uncached.get(keys[i % keys.count]) }
        _ = try await uncached.batchDelete(keys)
        let sequential = BenchMeasurement.combined(cachedRounds)
        return [
            BenchRow("near-cache-get-sequential", backend: backend, sequential)
                .compared(with: "uncached", opsPerSecond: BenchMeasurement.combined(uncachedRounds).opsPerSecond, target: 50)
                .compared(with: "memory", opsPerSecond: BenchMeasurement.combined(memoryRounds).opsPerSecond, target: 0.5),
            BenchRow("near-cache-get-concurrent-64", backend: backend, cachedConcurrent)
                .compared(with: "uncached", opsPerSecond: uncachedConcurrent.opsPerSecond, target: 10),
        ]
    }
}
#endif
