/// How ``KVClient/update(_:for:options:retry:_:)`` retries when another writer got there first.
///
/// ```swift
/// let patient = KVUpdateRetry(maxAttempts: 1_000, initialBackoff: .microseconds(200), maxBackoff: .milliseconds(20))
/// ```
public struct KVUpdateRetry: Sendable, Hashable {
    /// Reads and compare-and-sets before giving up with `conflict`.
    public var maxAttempts: Int
    /// The first wait after a conflict; it doubles up to ``maxBackoff``, and each wait is random up to it (full jitter).
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(maxAttempts: Int = 64, initialBackoff: Duration = .microseconds(500), maxBackoff: Duration = .milliseconds(50)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    public static let `default` = KVUpdateRetry()

    /// The wait after `conflicts` conflicts in a row: uniformly random up to the capped exponential bound.
    func backoff(after conflicts: Int) -> Duration {
        let bound = min(maxBackoff, initialBackoff * (1 << min(conflicts - 1, 20)))
        return .nanoseconds(Int64.random(in: 0...bound.nanosecondsClamped))
    }
}

extension KVClient {
    /// Reads the value, lets `body` change it, and writes it back only if nobody wrote in between
    /// (``KVStore/compareAndSet(_:expected:new:options:)``); on a conflict it reads again and retries with
    /// jittered backoff. Setting the value to nil deletes the key. The key keeps its TTL unless `options` say otherwise.
    ///
    /// ```swift
    /// let cart = try await carts.update(Cart.self, for: "7") { cart in
    ///     cart = (cart ?? Cart()).adding("tea")
    /// }
    /// ```
    ///
    /// - Returns: the value stored (nil when `body` deleted it).
    /// - Throws: `conflict` after `retry.maxAttempts` conflicts (nothing was written by this call),
    ///   `outcomeUnknown` when a write may or may not have happened (never retried), `decodingFailed`,
    ///   `encodingFailed`, `unsupported` on a store without compare-and-set, an error `body` throws, or any store error.
    @discardableResult
    public func update<T: Codable>(
        _ type: T.Type, for key: String, options: KVSetOptions = KVSetOptions(keepTTL: true), retry: KVUpdateRetry = .default,
        _ body: (inout T?) throws(KVError) -> Void
    ) async throws(KVError) -> T? {
        let storedKey = namespace + key
        var conflicts = 0
        while true {
            let old = try await store.get(storedKey)
            var value = try old.map { (bytes) throws(KVError) in try decode(type, from: bytes, key: key) }
            try body(&value)
            let new = try value.map { (value) throws(KVError) in try encode(value, key: key) }
            if try await store.compareAndSet(storedKey, expected: old, new: new, options: new == nil ? .default : options) { return value }
            conflicts += 1
            guard conflicts < retry.maxAttempts else {
                throw KVError(.conflict, "\(conflicts) concurrent writes in a row; gave up (KVUpdateRetry.maxAttempts \(retry.maxAttempts))", key: storedKey)
            }
            do { try await Task.sleep(for: retry.backoff(after: conflicts)) } catch {
                throw KVError(.cancelled, "the update was cancelled after \(conflicts) conflicts; nothing was written", key: storedKey)
            }
        }
    }

    /// Writes `value` only if the key does not exist yet.
    ///
    /// ```swift
    /// try await users.create(User(name: "ada"), for: "ada")   // alreadyExists the second time
    /// ```
    ///
    /// - Throws: `alreadyExists` when the key exists (nothing is written), or any error of ``set(_:for:options:)``.
    public func create<T: Encodable>(_ value: T, for key: String, ttl: Duration? = nil) async throws(KVError) {
        let created = try await store.set(namespace + key, try encode(value, key: key), options: KVSetOptions(ttl: ttl, condition: .onlyIfAbsent))
        if !created { throw KVError(.alreadyExists, "the key exists; create writes only new keys", key: namespace + key) }
    }

    /// Reads and decodes a value with the time its key has left, in one round trip where the store allows.
    ///
    /// ```swift
    /// if let (session, ttl) = try await sessions.getWithTTL(Session.self, for: "42") { … }
    /// ```
    public func getWithTTL<T: Decodable>(_ type: T.Type = T.self, for key: String) async throws(KVError) -> (value: T, ttl: KVTimeToLive)? {
        guard let read = try await store.getWithTTL(namespace + key) else { return nil }
        return (try decode(type, from: read.value, key: key), read.ttl)
    }

    /// Adds `delta` to the integer under `key` (see ``KVStore/increment(_:by:ttlIfCreated:)``).
    @discardableResult
    public func increment(_ key: String, by delta: Int64 = 1, ttlIfCreated: Duration? = nil) async throws(KVError) -> Int64 {
        try await store.increment(namespace + key, by: delta, ttlIfCreated: ttlIfCreated)
    }
}
