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
    /// The targets the rows are held to (issue #13): single-key and batch rows at 0.8× the dictionary or better,
    /// concurrent rows at 1.2×.
    static let sequentialTarget = 0.8
    static let concurrentTarget = 1.2

    static func rows(store: any KVStore, count: Int, progress: (String) -> Void) async throws -> [BenchRow] {
        let value = [UInt8](repeating: 0x61, count: 100)
        let keys = (0..<count).map { "bench:\($0)" }
        let reference = MutexDictionary()
        var rows: [BenchRow] = []

        func row(_ name: String, target: Double, store: () async throws -> BenchMeasurement, reference: () async throws -> BenchMeasurement) async throws {
            progress(name)
            let (measured, referenceMeasured) = try await paired(store: store, reference: reference)
            rows.append(BenchRow(name, backend: "memory", measured).compared(with: "dictionary+mutex", opsPerSecond: referenceMeasured.opsPerSecond, target: target))
        }

        try await row("set-sequential", target: sequentialTarget,
            store: { try await BenchMeasurement.sequential(count) { i in _ = try await store.set(keys[i], value, options: .default) } },
            reference: { try await BenchMeasurement.sequential(count) { i in await reference.set(keys[i], value) } })
        try await row("get-sequential", target: sequentialTarget,
            store: { try await BenchMeasurement.sequential(count) { i in _ = try await store.get(keys[i]) } },
            reference: { try await BenchMeasurement.sequential(count) { i in _ = await reference.get(keys[i]) } })
        try await row("get-concurrent-64", target: concurrentTarget,
            store: { try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.get(keys[i % keys.count]) } },
            reference: { try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = await reference.get(keys[i % keys.count]) } })
        try await row("set-concurrent-64", target: concurrentTarget,
            store: { try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.set(keys[i % keys.count], value, options: .default) } },
            reference: { try await BenchMeasurement.concurrent(tasks: 64, count) { i in await reference.set(keys[i % keys.count], value) } })
        let entries = keys.map { KVEntry($0, value) }
        try await row("set-pipelined", target: sequentialTarget,
            store: { try await BenchMeasurement.batch(count) { try await store.batchSet(entries, options: .default) } },
            reference: { try await BenchMeasurement.batch(count) { await reference.setAll(entries) } })
        try await row("get-pipelined", target: sequentialTarget,
            store: { try await BenchMeasurement.batch(count) { _ = try await store.batchGet(keys) } },
            reference: { try await BenchMeasurement.batch(count) { _ = await reference.getAll(keys) } })

        _ = try await store.batchDelete(keys)

        progress("getOrLoad-hit")
        rows.append(try await CacheAsideBench.row(store: store, backend: "memory", count: count))

        progress("get-during-batchSet-1M")
        let stall = try await stallRow(store: store, reference: reference, value: value, keys: keys)
        rows.append(stall)
        return rows
    }

    /// Runs the store's workload and the reference's alternately, three rounds each, and keeps each side's
    /// fastest round: a round that met page faults or a busy neighbour core says little about either, and
    /// alternating gives both the same conditions.
    static func paired(
        rounds: Int = 3, store: () async throws -> BenchMeasurement, reference: () async throws -> BenchMeasurement
    ) async throws -> (store: BenchMeasurement, reference: BenchMeasurement) {
        var best: (store: BenchMeasurement?, reference: BenchMeasurement?) = (nil, nil)
        for _ in 0..<rounds {
            let measured = try await store()
            if measured.opsPerSecond > best.store?.opsPerSecond ?? -1 { best.store = measured }
            let referenceMeasured = try await reference()
            if referenceMeasured.opsPerSecond > best.reference?.opsPerSecond ?? -1 { best.reference = referenceMeasured }
        }
        return (best.store!, best.reference!)
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
        // The dictionary's one lock holds its gets off for the whole batch: compare the slowest waits, not how
        // many gets fit in a batch of either length.
        let referenceSlowest = referenceGets.latencies.last.map { Double($0) / 1000 }
        var row = BenchRow("get-during-batchSet-1M", backend: "memory", storeGets)
            .comparedByMaxWait(with: "dictionary+mutex", referenceMaxMicroseconds: referenceSlowest, opsPerSecond: referenceGets.opsPerSecond)
        let slowest = (row.maxMicroseconds ?? .infinity) / 1000
        row.workload += " (max \(BenchTable.format(slowest, digits: 1)) ms \(slowest <= 50 ? "≤50 ok" : ">50 MISSED"))"
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
