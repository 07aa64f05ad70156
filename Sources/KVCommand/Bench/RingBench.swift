#if Redis
import KV
import KVRedisConfiguration
import KVRedisCore
#if Redis
import KVRedis
#endif
#if Redis
import KVRing
#endif


/// Ring rows: placement cost per mode, and 3-shard workloads beside one shard alone and beside the
/// shards' parts run one after another (to show that a batch's shards run in parallel).
enum RingBench {
    static func placementRows(count: Int, progress: (String) -> Void) async throws -> [BenchRow] {
        let keys = (0..<count).map { "user:\($0):profile" }
        var rows: [BenchRow] = []
        let cases: [(KVRingHashMode, [Int])] = [(.rendezvous, [3, 8, 16])] + KVRingHashMode.allCases.filter { $0 != .rendezvous }.map { ($0, [3, 16]) }
        for (mode, shardCounts) in cases {
            for shards in shardCounts {
                progress("placement \(mode.rawValue) over \(shards) shards")
                let placement = mode.hash.placement(for: (1...shards).map { "shard\($0)" })
                var sink = 0
                let measurement = try await BenchMeasurement.batch(count) {
                    for key in keys { sink &+= placement.shardIndex(for: key) }
                }
                precondition(sink >= 0)
                rows.append(
                    BenchRow("placement-\(mode.rawValue)-\(shards)", backend: "ring", measurement)
                        .compared(with: "200ns budget", opsPerSecond: 5_000_000, target: 1))
            }
        }
        return rows
    }

    static func rows(store: KVRingStore, count: Int, progress: (String) -> Void) async throws -> [BenchRow] {
        let value = [UInt8](repeating: 0x72, count: 100)
        let keys = (0..<count).map { "kvbench:ring:\($0)" }
        let entries = keys.map { KVEntry($0, value) }
        // One of the ring's servers as a redis store with the ring's settings, pool size included (1 by default).
        var node = store.options.node
        node.poolSize = node.poolSize ?? 1
        let single = KVRedisStore(options: .init(endpoint: store.shards[0].endpoint, node: node), logger: KVLogging.disabled)
        defer { Task { await single.shutdown() } }
        var rows: [BenchRow] = []

        progress("ring set-pipelined")
        let ringBatch = try await BenchMeasurement.batch(count) { try await store.batchSet(entries) }
        let singleBatch = try await BenchMeasurement.batch(count) { try await single.batchSet(entries) }
        // The same batch, split by shard as the ring splits it, but with the shards' parts one after another.
        var parts: [String: [KVEntry]] = [:]
        for entry in entries { parts[try store.shard(for: entry.key), default: []].append(entry) }
        var serialElapsed = Duration.zero
        for (name, part) in parts {
            guard let target = store.shardClient(named: name) else { continue }
            serialElapsed += try await BenchMeasurement.batch(part.count) { try await target.batchSet(part, options: .default) }.elapsed
        }
        let serial = BenchMeasurement(operations: count, elapsed: serialElapsed, latencies: [])
        rows.append(
            BenchRow("set-pipelined", backend: "ring-3", ringBatch)
                .compared(with: "one redis", opsPerSecond: singleBatch.opsPerSecond)
                .compared(with: "shards in sequence", opsPerSecond: serial.opsPerSecond))

        // Small batches are bound by round trips, not CPU: the shards' parts in parallel cost about one round trip,
        // in sequence about three.
        progress("ring batch-get-30")
        let small = Array(keys.prefix(30))
        var smallParts: [String: [String]] = [:]
        for key in small { smallParts[try store.shard(for: key), default: []].append(key) }
        let rounds = max(100, count / 50)
        let parallelBatches = try await BenchMeasurement.sequential(rounds) { _ in _ = try await store.batchGet(small) }
        let serialBatches = try await BenchMeasurement.sequential(rounds) { _ in
            for (name, part) in smallParts { _ = try await store.shardClient(named: name)?.batchGet(part) }
        }
        rows.append(
            BenchRow("batch-get-30 (batches/s)", backend: "ring-3", parallelBatches)
                .compared(with: "shards in sequence", opsPerSecond: serialBatches.opsPerSecond))

        progress("ring get-concurrent-64")
        let ringGets = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.get(keys[i % keys.count]) }
        let singleGets = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await single.get(keys[i % keys.count]) }
        rows.append(BenchRow("get-concurrent-64", backend: "ring-3", ringGets).compared(with: "one redis", opsPerSecond: singleGets.opsPerSecond))

        progress("cleanup")
        _ = try await store.batchDelete(keys)
        _ = try await single.batchDelete(keys)
        return rows + (try await placementRows(count: min(count, 200_000), progress: progress))
    }
}
#endif
