public import ServiceLifecycle

/// A key-value store: the one contract every backend keeps.
///
/// Keys are non-empty UTF-8 strings (control characters allowed), compared by their bytes, so `"é"` and
/// `"e\u{301}"` are two keys (see ``KVExactKey``); values are bytes.
/// Every method throws only ``KVError``. After ``shutdown()`` every call throws ``KVError/Code/shutdown``.
///
/// ```swift
/// let store: any KVStore = try await KVStores.open("memory://")
/// try await store.set("greeting", Array("hello".utf8), options: .ttl(.seconds(60)))
/// let bytes = try await store.get("greeting")
/// ```
///
/// Every store is a swift-service-lifecycle `Service`: ``run()`` does its background work (a ring's
/// heartbeats, a cluster's slot-map refresh, a Sentinel store's checks) until graceful shutdown; a store with
/// none waits. Add the store to your `ServiceGroup`, or scope it with ``withRunning(_:)``.
public protocol KVStore: Service {
    /// Writes `value` under `key`.
    ///
    /// - Returns: whether it wrote; `false` only when the options' condition was not met.
    /// - Throws: `invalidArgument` (empty key, TTL ≤ 0, TTL with `keepTTL`), `valueTooLarge` (over 512 MiB,
    ///   nothing is sent), `timeout`, `connectionFailed`, `serverError`, `unavailable`, `shutdown`.
    @discardableResult
    func set(_ key: String, _ value: [UInt8], options: KVSetOptions) async throws(KVError) -> Bool

    /// Reads the value under `key`, or `nil` when there is none.
    ///
    /// - Throws: `invalidArgument`, `timeout`, `connectionFailed`, `serverError`, `unavailable`, `shutdown`.
    func get(_ key: String) async throws(KVError) -> [UInt8]?

    /// The time `key` has left: ``KVTimeToLive/missingKey`` when it does not exist,
    /// ``KVTimeToLive/persistent`` when it never expires.
    ///
    /// - Throws: as ``get(_:)``.
    func ttl(_ key: String) async throws(KVError) -> KVTimeToLive

    /// Deletes `key`. Deleting a missing key is not an error.
    ///
    /// - Returns: whether the key existed.
    /// - Throws: as ``get(_:)``.
    func delete(_ key: String) async throws(KVError) -> Bool

    /// Whether `key` exists.
    ///
    /// - Throws: as ``get(_:)``.
    func contains(_ key: String) async throws(KVError) -> Bool

    /// Streams every key that starts with `prefix`, matched literally (`a*` matches keys starting with `a*`).
    /// An empty prefix lists every key. No key is listed twice. Keys written or deleted during the listing
    /// may or may not appear. Errors (`timeout`, `connectionFailed`, `shutdown`, ...) surface while iterating.
    func list(prefix: String) -> KVKeySequence

    /// Signals every change of a key under `prefix`, by any writer: `ready` once armed, `changed(key)` for each
    /// set, delete, expiry or eviction after that, and `resync` whenever changes may have been missed (consume it
    /// by listing the prefix again). See `docs/watch.md` for each store's contract. The default says the store
    /// has no watch: the feed fails with `unsupported`.
    func watch(prefix: String) -> KVWatchFeed

    /// Writes every entry. Duplicate keys are allowed: the last one wins.
    ///
    /// A batch is **not atomic** across shards or nodes: on a partial failure some entries are written
    /// and the error (`partialFailure`) lists in ``KVError/failures`` exactly the keys that may not have been.
    /// - Throws: `invalidArgument` or `valueTooLarge` for a bad entry (then nothing is sent),
    ///   `partialFailure`, or any error of ``set(_:_:options:)`` when the whole batch failed.
    func batchSet(_ entries: [KVEntry], options: KVSetOptions) async throws(KVError)

    /// Reads every key; a missing key is absent from the result. Duplicate keys are allowed.
    ///
    /// Stores compare keys byte by byte, but a Swift dictionary merges canonically equivalent strings
    /// (`"é"` and `"e\u{301}"`): read such keys with separate `get` calls.
    ///
    /// - Throws: `invalidArgument`, `partialFailure` (naming the keys that could not be read), or any error of ``get(_:)``.
    func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]]

    /// Deletes every key. Duplicate keys are counted once.
    ///
    /// - Returns: the number of keys that existed and were deleted.
    /// - Throws: `invalidArgument`, `partialFailure`, or any error of ``delete(_:)``.
    func batchDelete(_ keys: [String]) async throws(KVError) -> Int

    /// Writes `new` only if the key's current value equals `expected`, in one atomic step; `expected` nil
    /// means the key must be absent, `new` nil deletes it. `options` give the TTL of the written value as for
    /// ``set(_:_:options:)`` (its condition must be `.always`).
    ///
    /// - Returns: whether the key held `expected` (and so was written or deleted).
    /// - Throws: `invalidArgument`, `valueTooLarge`, `outcomeUnknown` (the connection broke after it was sent:
    ///   read the key), `unsupported` (a store without atomic operations), or any error of ``get(_:)``.
    func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options: KVSetOptions) async throws(KVError) -> Bool

    /// Adds `delta` to the decimal integer stored under `key`, as Redis `INCRBY` does: a missing key counts
    /// from 0 and is created, with `ttlIfCreated` as its TTL; an existing key keeps its TTL.
    ///
    /// - Returns: the new value.
    /// - Throws: `notAnInteger` (the value is not a decimal integer of 64 bits), `overflow`, `outcomeUnknown`,
    ///   `unsupported`, or any error of ``get(_:)``.
    func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64

    /// The value under `key` and the time it has left, in one round trip where the store allows, or nil.
    ///
    /// - Throws: as ``get(_:)``.
    func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL?

    /// The store's health: an overall status plus one entry per node.
    ///
    /// - Throws: `shutdown`. An unreachable node is reported, not thrown.
    func health() async throws(KVError) -> KVHealthReport

    /// Where `key` lives: its node, and for the cluster its slot.
    ///
    /// - Throws: `invalidArgument`, `unavailable`, `shutdown`.
    func locate(_ key: String) async throws(KVError) -> KVLocation

    /// Runs the store's background work (a ring's heartbeats, a cluster's slot-map refresh) until graceful shutdown
    /// or cancellation: `Service.run()`, restated here so that it dispatches to the store's own from code that does
    /// not import ServiceLifecycle (the default, for stores without background work, only waits).
    func run() async throws

    /// Releases connections and background work. Idempotent; afterwards every call throws `shutdown`.
    func shutdown() async
}

extension KVStore {
    /// Writes `value` under `key` with no expiry.
    @discardableResult
    public func set(_ key: String, _ value: [UInt8]) async throws(KVError) -> Bool {
        try await set(key, value, options: .default)
    }

    /// Writes `entries` with no expiry.
    public func batchSet(_ entries: [KVEntry]) async throws(KVError) {
        try await batchSet(entries, options: .default)
    }

    /// Writes `(key, value)` pairs; the last duplicate wins.
    public func batchSet(_ pairs: [(key: String, value: [UInt8])], options: KVSetOptions = .default) async throws(KVError) {
        try await batchSet(pairs.map { KVEntry($0.key, $0.value) }, options: options)
    }

    /// Streams every key.
    public func list() -> KVKeySequence { list(prefix: "") }

    // MARK: Defaults a backend may rely on

    /// Default: no watch; the feed fails with `unsupported` on its first `next()` (never a silent empty stream).
    public func watch(prefix: String) -> KVWatchFeed {
        .unsupported("\(Self.self) has no watch feed")
    }

    /// Default: `ttl(key) != .missingKey`.
    public func contains(_ key: String) async throws(KVError) -> Bool {
        try await ttl(key) != .missingKey
    }

    /// Default: one `set` per entry, in order, collecting failures.
    public func batchSet(_ entries: [KVEntry], options: KVSetOptions) async throws(KVError) {
        try KVLimits.check(entries: entries)
        _ = try options.ttlMilliseconds()
        var failures: [KVKeyFailure] = []
        for entry in entries {
            do { _ = try await set(entry.key, entry.value, options: options) } catch {
                if error.code == .shutdown { throw error }
                failures.append(KVKeyFailure(key: entry.key, error: error))
            }
        }
        try KVBatch.throwIfFailed(failures, total: entries.count)
    }

    /// Default: one `get` per distinct key.
    public func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        try KVLimits.check(keys: keys)
        var result: [String: [UInt8]] = [:]
        var failures: [KVKeyFailure] = []
        for key in KVBatch.distinct(keys) {
            do { if let value = try await get(key) { result[key] = value } } catch {
                if error.code == .shutdown { throw error }
                failures.append(KVKeyFailure(key: key, error: error))
            }
        }
        try KVBatch.throwIfFailed(failures, total: keys.count)
        return result
    }

    /// Default: one `delete` per distinct key.
    public func batchDelete(_ keys: [String]) async throws(KVError) -> Int {
        try KVLimits.check(keys: keys)
        var deleted = 0
        var failures: [KVKeyFailure] = []
        for key in KVBatch.distinct(keys) {
            do { if try await delete(key) { deleted += 1 } } catch {
                if error.code == .shutdown { throw error }
                failures.append(KVKeyFailure(key: key, error: error))
            }
        }
        try KVBatch.throwIfFailed(failures, total: keys.count)
        return deleted
    }
}
