import ServiceLifecycle

extension KVStore {
    /// For a store with no background work: waits until graceful shutdown or cancellation. The store stays
    /// open; its owner shuts it down (``withRunning(_:)`` does).
    public func run() async throws {
        try? await gracefulShutdown()
    }

    /// Runs the store's background work (``run()``) while `body` runs, then shuts the store down, also when
    /// `body` throws.
    ///
    /// ```swift
    /// let store = try await KVStores.open("ring://a=127.0.0.1:6379,b=127.0.0.1:6380")
    /// try await store.withRunning { store in
    ///     try await store.set("greeting", Array("hello".utf8))
    /// }
    /// ```
    public func withRunning<Result>(_ body: (Self) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            group.addTask { try await self.run() }
            let outcome: Swift.Result<Result, any Error>
            do { outcome = .success(try await body(self)) } catch { outcome = .failure(error) }
            group.cancelAll()
            await shutdown()
            return try outcome.get()
        }
    }
}
