import KVCore
import KVMemory
import KVSoak
import Synchronization
import Testing

@Suite struct SoakTests {
    /// Soaks of 300 ms until more than 100 writes were checked, at most 20: a machine busy with other tests in
    /// parallel can starve one soak's tasks for its whole window, which says nothing about the store.
    @Test func soakOnAHealthyStoreFindsNothingWrong() async {
        let store = KVMemoryStore()
        var writes = 0
        for _ in 0..<20 where writes <= 100 {
            let report = await KVSoakRunner(store: store, configuration: .init(duration: .milliseconds(300), tasks: 8, keys: 10)).run()
            writes += report.writes
            #expect(report.ok == report.reads)
            #expect(report.corrupt == 0 && report.missing == 0 && report.stale == 0)
            #expect(report.errorCount == 0)
        }
        #expect(writes > 100)
    }

    /// The soak must be able to fail: a store that hands back other keys' values, loses writes and
    /// serves old versions is caught in each category.
    @Test func soakCatchesMixedUpLostAndStaleValues() async {
        var (corrupt, missing, stale) = (0, 0, 0)
        for _ in 0..<20 where corrupt == 0 || missing == 0 || stale == 0 {
            let report = await KVSoakRunner(store: MisbehavingStore(), configuration: .init(duration: .milliseconds(300), tasks: 4, keys: 5)).run()
            (corrupt, missing, stale) = (corrupt + report.corrupt, missing + report.missing, stale + report.stale)
        }
        #expect(corrupt > 0)
        #expect(missing > 0)
        #expect(stale > 0)
    }
}

/// A store that misbehaves in turn: correct, another key's value, nothing, an old value.
final class MisbehavingStore: KVStore {
    private struct State {
        var history: [String: [[UInt8]]] = [:]
        var calls = 0
    }

    private let inner = KVMemoryStore()
    private let state = Mutex(State())

    func set(_ key: String, _ value: [UInt8], options: KVSetOptions) async throws(KVError) -> Bool {
        state.withLock { $0.history[key, default: []].append(value) }
        return try inner.set(key, value, options: options)
    }

    func get(_ key: String) async throws(KVError) -> [UInt8]? {
        let value = try inner.get(key)
        return state.withLock { state in
            state.calls += 1
            switch state.calls % 4 {
            case 1: return state.history.first(where: { $0.key != key })?.value.last ?? [1, 2, 3]
            case 2: return nil
            case 3:
                let versions = state.history[key] ?? []
                return versions.count > 1 ? versions[versions.count - 2] : value
            default: return value
            }
        }
    }

    func ttl(_ key: String) async throws(KVError) -> KVTimeToLive { try inner.ttl(key) }
    func delete(_ key: String) async throws(KVError) -> Bool { try inner.delete(key) }
    func list(prefix: String) -> KVKeySequence { inner.list(prefix: prefix) }
    func health() async throws(KVError) -> KVHealthReport { try await inner.health() }
    func locate(_ key: String) async throws(KVError) -> KVLocation { try await inner.locate(key) }
    func shutdown() async { await inner.shutdown() }
}
