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
        return rows
    }
}
