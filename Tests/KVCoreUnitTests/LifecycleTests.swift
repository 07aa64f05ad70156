import KVCore
import KVMemory
import Testing

/// Every store is a Service; `withRunning` scopes its life.
@Suite struct LifecycleTests {
    struct Failure: Error {}

    @Test func withRunningShutsTheStoreDownAfterTheBody() async throws {
        let store: any KVStore = KVMemoryStore()
        let value = try await store.withRunning { store in
            try await store.set("k", [1])
            return try await store.get("k")
        }
        #expect(value == [1])
        do {
            _ = try await store.get("k")
        } catch {
            #expect(error.code == .shutdown)
        }
    }

    @Test func withRunningShutsTheStoreDownWhenTheBodyThrows() async throws {
        let store: any KVStore = KVMemoryStore()
        await #expect(throws: Failure.self) {
            try await store.withRunning { store in
                try await store.set("k", [1])
                throw Failure()
            }
        }
        do {
            _ = try await store.get("k")
            Issue.record("the store still answers after withRunning threw")
        } catch {
            #expect(error.code == .shutdown)
        }
    }

    @Test func theDefaultRunEndsWhenCancelled() async throws {
        let store: any KVStore = KVMemoryStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            group.cancelAll()
            try await group.next()
        }
        #expect(try await store.get("missing") == nil, "run() does not shut the store down; its owner does")
        await store.shutdown()
    }
}
