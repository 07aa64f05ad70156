import KV
import Synchronization

/// The reference for memory rows: a plain `Dictionary` under a `Mutex`, called the same way.
final class MutexDictionary: Sendable {
    private let storage = Mutex<[String: [UInt8]]>([:])
    func set(_ key: String, _ value: [UInt8]) async { storage.withLock { $0[key] = value } }
    func get(_ key: String) async -> [UInt8]? { storage.withLock { $0[key] } }
    func setAll(_ entries: [KVEntry]) async { storage.withLock { for entry in entries { $0[entry.key] = entry.value } } }
    func getAll(_ keys: [String]) async -> [String: [UInt8]] {
        storage.withLock { storage in
            var result: [String: [UInt8]] = [:]
            for key in keys { result[key] = storage[key] }
            return result
        }
    }
}

/// Memory-store rows, each beside the same workload on ``MutexDictionary``.
enum MemoryBench {
    static func rows(store: any KVStore, count: Int, progress: (String) -> Void) async throws -> [BenchRow] {
        let value = [UInt8](repeating: 0x61, count: 100)
        let keys = (0..<count).map { "bench:\($0)" }
        let reference = MutexDictionary()
        var rows: [BenchRow] = []
        let backend = "memory"

        progress("set-sequential")
        let setStore = try await BenchMeasurement.sequential(count) { i in _ = try await store.set(keys[i], value, options: .default) }
        let setRef = try await BenchMeasurement.sequential(count) { i in await reference.set(keys[i], value) }
        rows.append(BenchRow("set-sequential", backend: backend, setStore).compared(with: "dictionary+mutex", opsPerSecond: setRef.opsPerSecond))

        progress("get-sequential")
        let getStore = try await BenchMeasurement.sequential(count) { i in _ = try await store.get(keys[i]) }
        let getRef = try await BenchMeasurement.sequential(count) { i in _ = await reference.get(keys[i]) }
        rows.append(BenchRow("get-sequential", backend: backend, getStore).compared(with: "dictionary+mutex", opsPerSecond: getRef.opsPerSecond))

        progress("get-concurrent-64")
        let getConc = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.get(keys[i % keys.count]) }
        let getConcRef = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = await reference.get(keys[i % keys.count]) }
        rows.append(BenchRow("get-concurrent-64", backend: backend, getConc).compared(with: "dictionary+mutex", opsPerSecond: getConcRef.opsPerSecond))

        progress("set-concurrent-64")
        let setConc = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.set(keys[i % keys.count], value, options: .default) }
        let setConcRef = try await BenchMeasurement.concurrent(tasks: 64, count) { i in await reference.set(keys[i % keys.count], value) }
        rows.append(BenchRow("set-concurrent-64", backend: backend, setConc).compared(with: "dictionary+mutex", opsPerSecond: setConcRef.opsPerSecond))

        progress("set-pipelined")
        let entries = keys.map { KVEntry($0, value) }
        let batchSet = try await BenchMeasurement.batch(count) { try await store.batchSet(entries, options: .default) }
        let batchSetRef = try await BenchMeasurement.batch(count) { await reference.setAll(entries) }
        rows.append(BenchRow("set-pipelined", backend: backend, batchSet).compared(with: "dictionary+mutex", opsPerSecond: batchSetRef.opsPerSecond))

        progress("get-pipelined")
        let batchGet = try await BenchMeasurement.batch(count) { _ = try await store.batchGet(keys) }
        let batchGetRef = try await BenchMeasurement.batch(count) { _ = await reference.getAll(keys) }
        rows.append(BenchRow("get-pipelined", backend: backend, batchGet).compared(with: "dictionary+mutex", opsPerSecond: batchGetRef.opsPerSecond))

        _ = try await store.batchDelete(keys)

        progress("get-during-batchSet-1M")
        let stall = try await stallRow(store: store, reference: reference, value: value, keys: keys)
        rows.append(stall)
        return rows
    }

    /// Gets on keys that exist, from their own task, while another task writes 1,000,000 entries in one
    /// `batchSet`: how long does a get wait? Beside the same on the dictionary, whose one lock is held for the whole batch.
    static func stallRow(store: any KVStore, reference: MutexDictionary, value: [UInt8], keys: [String]) async throws -> BenchRow {
        let big = (0..<1_000_000).map { KVEntry("bench:stall:\($0)", value) }
        let probes = Array(keys.prefix(1000))
        try await store.batchSet(probes.map { KVEntry($0, value) }, options: .default)
        await reference.setAll(probes.map { KVEntry($0, value) })
        let storeGets = try await getsDuring(probes: probes, get: { _ = try await store.get($0) }) {
            try await store.batchSet(big, options: .default)
        }
        let referenceGets = try await getsDuring(probes: probes, get: { _ = await reference.get($0) }) {
            await reference.setAll(big)
        }
        _ = try await store.batchDelete(big.map(\.key) + probes)
        // Gets served during the batch, beside the dictionary's (whose lock holds them off for the whole batch).
        var row = BenchRow("get-during-batchSet-1M", backend: "memory", storeGets)
            .compared(with: "dictionary+mutex", opsPerSecond: referenceGets.opsPerSecond)
        let slowest = (row.maxMicroseconds ?? .infinity) / 1000
        let referenceSlowest = (referenceGets.latencies.last.map { Double($0) } ?? .infinity) / 1e6
        row.workload += " (max \(BenchTable.format(slowest, digits: 1)) ms \(slowest <= 50 ? "≤50 ok" : ">50 MISSED")"
            + "; dictionary+mutex max \(BenchTable.format(referenceSlowest, digits: 0)) ms)"
        return row
    }

    /// Times `get` on the probes in a loop, on a task of its own, for as long as `write` runs.
    private static func getsDuring(
        probes: [String], get: @escaping @Sendable (String) async throws -> Void, write: @escaping @Sendable () async throws -> Void
    ) async throws -> BenchMeasurement {
        let clock = ContinuousClock()
        let start = clock.now
        let done = BenchFlag()
        return try await withThrowingTaskGroup(of: [Int64].self) { group in
            group.addTask {
                defer { done.set() }
                try await write()
                return []
            }
            group.addTask {
                var latencies: [Int64] = []
                var index = 0
                while !done.isSet {
                    let before = clock.now
                    try await get(probes[index % probes.count])
                    latencies.append((clock.now - before).nanoseconds)
                    index += 1
                    if index % 64 == 0 { await Task.yield() }
                }
                return latencies
            }
            var latencies: [Int64] = []
            for try await part in group { latencies += part }
            return BenchMeasurement(operations: latencies.count, elapsed: clock.now - start, latencies: latencies.sorted())
        }
    }
}

/// A flag one task raises and another polls.
final class BenchFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    func set() { raised.store(true, ordering: .releasing) }
    var isSet: Bool { raised.load(ordering: .acquiring) }
}
