public import Logging

/// Opens the store `url` names, runs its background work while `body` runs, then shuts it down, also when
/// `body` throws: a store's whole life in one scope, with no cast and nothing to forget.
///
/// ```swift
/// try await withKVStore("cluster://127.0.0.1:7000,127.0.0.1:7001") { store in
///     try await store.set("greeting", Array("hello".utf8))
/// }
/// ```
public func withKVStore<Result>(
    _ url: String, logger: Logger = KVLogging.disabled, _ body: (any KVStore) async throws -> Result
) async throws -> Result {
    try await withKVStore(try KVConfiguration(url: url), logger: logger, body)
}

/// `withKVStore(_:logger:_:)` for a configuration (from a file, the environment or a `ConfigReader`).
public func withKVStore<Result>(
    _ configuration: KVConfiguration, logger: Logger = KVLogging.disabled, _ body: (any KVStore) async throws -> Result
) async throws -> Result {
    let store = try await KVStores.open(configuration, logger: logger)
    return try await store.withRunning { store in try await body(store) }
}
