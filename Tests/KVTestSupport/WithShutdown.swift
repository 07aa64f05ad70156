public import KVCore

/// Runs `body`, then shuts `store` down, also when `body` throws: a test's store is shut down in its scope,
/// never by a detached task after the test has ended.
@discardableResult
public func withShutdown<Store: KVStore, Result>(_ store: Store, _ body: () async throws -> Result) async throws -> Result {
    let outcome: Swift.Result<Result, any Error>
    do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
    await store.shutdown()
    return try outcome.get()
}
