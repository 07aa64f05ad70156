public import KVCore

/// A store that keeps the contract without atomic operations: everything is forwarded to `inner` except
/// `compareAndSet` and `increment`, which keep the protocol's `unsupported` defaults.
public struct NoAtomicsStore: KVStore {
    public let inner: any KVStore
    public init(inner: any KVStore) { self.inner = inner }
    public func set(_ key: String, _ value: [UInt8], options: KVSetOptions) async throws(KVError) -> Bool { try await inner.set(key, value, options: options) }
    public func get(_ key: String) async throws(KVError) -> [UInt8]? { try await inner.get(key) }
    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive { try await inner.ttl(key) }
    public func delete(_ key: String) async throws(KVError) -> Bool { try await inner.delete(key) }
    public func list(prefix: String) -> KVKeySequence { inner.list(prefix: prefix) }
    public func batchSet(_ entries: [KVEntry], options: KVSetOptions) async throws(KVError) { try await inner.batchSet(entries, options: options) }
    public func health() async throws(KVError) -> KVHealthReport { try await inner.health() }
    public func locate(_ key: String) async throws(KVError) -> KVLocation { try await inner.locate(key) }
    public func shutdown() async { await inner.shutdown() }
}
