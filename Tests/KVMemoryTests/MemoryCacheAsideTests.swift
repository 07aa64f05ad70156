import KVMemory
import KVTestSupport
import Testing

@Suite struct MemoryCacheAsideTests {
    @Test func cacheAsideDrills() async throws {
        let store = KVMemoryStore()
        let problems = try await CacheAsideDrills.problems(store, name: "memory")
        #expect(problems.isEmpty, "\(problems)")
        await store.shutdown()
    }
}
