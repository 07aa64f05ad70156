import KVConformance
import KVCore
import KVMemory
import KVTestSupport
import Testing

/// The whole contract on the memory store, with an injected clock so TTL cases do not sleep.
@Suite struct MemoryConformanceTests {
    static let clock = KVManualClock()
    static let harness = KVConformanceHarness(advanceTime: { clock.advance(by: $0) }) {
        KVMemoryStore(options: .init(clock: clock.memoryClock))
    }

    @Test(arguments: KVConformance.cases)
    func conformance(_ testCase: KVConformanceCase) async throws {
        try await testCase.run(Self.harness)
    }

    @Test func suiteHasAtLeastFortyCases() {
        #expect(KVConformance.cases.count >= 40)
        #expect(Set(KVConformance.cases.map(\.name)).count == KVConformance.cases.count, "case names are unique")
    }

    /// The suite must be able to fail: a store that drops TTLs and lists nothing must be caught.
    @Test func suiteCatchesABrokenStore() async {
        let broken = KVConformanceHarness { BrokenStore(inner: KVMemoryStore()) }
        let failures = await KVConformance.run(broken)
        let names = Set(failures.map(\.case))
        #expect(names.contains("ttl reports the time left, at most the TTL set"))
        #expect(names.contains("an empty prefix lists every key"))
        #expect(names.contains("batchGet leaves missing keys out and accepts duplicates"))
    }

    /// A store without atomic operations passes by refusing them, and is caught when the harness claims it has them.
    @Test func aStoreWithoutAtomicOperationsMustSayUnsupported() async {
        let failures = await KVConformance.run(KVConformanceHarness(atomicOperations: false) { NoAtomicsStore(inner: KVMemoryStore()) })
        #expect(failures.isEmpty, "\(failures)")
        let claimed = await KVConformance.run(KVConformanceHarness { NoAtomicsStore(inner: KVMemoryStore()) })
        #expect(Set(claimed.map(\.case)).contains("increment counts from 0 and returns the new value"))
        let memory = await KVConformance.run(KVConformanceHarness(atomicOperations: false) { KVMemoryStore() })
        #expect(memory.contains { $0.case == "increment counts from 0 and returns the new value" }, "a store with them fails the unsupported check")
    }
}

/// A store that breaks the contract on purpose: no TTLs, empty listings, batchGet returns empty values for missing keys.
struct BrokenStore: KVStore {
    let inner: KVMemoryStore
    func set(_ key: String, _ value: [UInt8], options: KVSetOptions) async throws(KVError) -> Bool {
        try inner.set(key, value, options: KVSetOptions(condition: options.condition))
    }
    func get(_ key: String) async throws(KVError) -> [UInt8]? { try inner.get(key) }
    func ttl(_ key: String) async throws(KVError) -> KVTimeToLive { try inner.ttl(key) }
    func delete(_ key: String) async throws(KVError) -> Bool { try inner.delete(key) }
    func list(prefix: String) -> KVKeySequence { KVKeySequence(keys: []) }
    func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for key in keys { result[key] = try inner.get(key) ?? [] }
        return result
    }
    func health() async throws(KVError) -> KVHealthReport { try await inner.health() }
    func locate(_ key: String) async throws(KVError) -> KVLocation { try await inner.locate(key) }
    func shutdown() async { await inner.shutdown() }
}
