package import KVCore

/// The single-key operations of every Redis-based store: inputs validated before anything is sent, one
/// round trip each (a script for the atomic ones), replies read into typed results or errors naming the key
/// and the node that answered. Inlinable, so that each store's calls are specialized for its router: unspecialized,
/// the generic path cost `get-sequential` on redis:// about 7% (13.3–13.9k against 14.4–14.9k ops/s).
extension RedisKeyRouter {
    @inlinable package nonisolated(nonsending) func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try KVLimits.check(key: key, valueCount: value.count)
        let ttl = try setOptions.ttlMilliseconds(key: key)
        try checkOpen()
        return try await invalidating(key) { () throws(KVError) in
            let answer = try await send([RedisKeyCommands.set(key, value, ttlMilliseconds: ttl, options: setOptions)], key: key, write: true)
            return try RedisKeyCommands.wasSet(answer.replies[0], key: key, node: answer.node)
        }
    }

    @inlinable package nonisolated(nonsending) func get(_ key: String) async throws(KVError) -> [UInt8]? {
        try KVLimits.check(key: key)
        try checkOpen()
        if let cache = nearCache(for: key) {
            if let hit = cache.hit(key) {
                cache.traceHit("GET")
                return hit.value
            }
            return try await cache.traceMiss("GET") { () throws(KVError) in try await fetched(key, in: cache).value }
        }
        let answer = try await send([RedisKeyCommands.get(key)], key: key, write: false)
        return try RedisKeyCommands.value(answer.replies[0], key: key, node: answer.node)
    }

    /// `get` for `KVClient`: through the near cache, a hit's bytes with the decoded value kept beside them.
    @inlinable package nonisolated(nonsending) func getKept(_ key: String) async throws(KVError) -> KVKeptRead? {
        try KVLimits.check(key: key)
        try checkOpen()
        guard let cache = nearCache(for: key) else { return try await get(key).map { KVKeptRead(bytes: $0, kept: nil) } }
        if let hit = cache.hit(key) {
            cache.traceHit("GET")
            return hit.value.map { KVKeptRead(bytes: $0, kept: hit.decoded) }
        }
        let value = try await cache.traceMiss("GET") { () throws(KVError) -> [UInt8]? in try await fetched(key, in: cache).value }
        return value.map { KVKeptRead(bytes: $0, kept: nil) }
    }

    /// What the near cache answers for `key` at once: a hit, or `unknown` (no cache, not armed, or a miss).
    @inlinable package func peekKept(_ key: String) throws(KVError) -> KVPeek {
        guard let cache = nearCache(for: key) else { return .unknown }
        try KVLimits.check(key: key)
        try checkOpen()
        guard let hit = cache.hit(key) else { return .unknown }
        cache.traceHit("GET")
        return hit.value.map { .found(KVKeptRead(bytes: $0, kept: hit.decoded)) } ?? .absent
    }

    /// Keeps a decoded value beside `key`'s near-cache entry (if it still holds the bytes it was decoded from).
    @inlinable package func keep(_ value: KVDecodedValue, for key: String) {
        nearCache(for: key)?.keep(value, for: key)
    }

    @inlinable package nonisolated(nonsending) func ttl(_ key: String) async throws(KVError) -> KVTimeToLive {
        try KVLimits.check(key: key)
        try checkOpen()
        let answer = try await send([RedisKeyCommands.pttl(key)], key: key, write: false)
        return try RedisKeyCommands.timeToLive(answer.replies[0], key: key, node: answer.node)
    }

    @inlinable package nonisolated(nonsending) func delete(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        try checkOpen()
        return try await invalidating(key) { () throws(KVError) in
            let answer = try await send([RedisKeyCommands.unlink([key])], key: key, write: true)
            return try RedisKeyCommands.count(answer.replies[0], key: key, node: answer.node) > 0
        }
    }

    @inlinable package nonisolated(nonsending) func contains(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        try checkOpen()
        if let cache = nearCache(for: key) {
            if let hit = cache.hit(key) {
                cache.traceHit("EXISTS")
                return hit.value != nil
            }
            return try await cache.traceMiss("EXISTS") { () throws(KVError) in try await fetched(key, in: cache).value != nil }
        }
        let answer = try await send([RedisKeyCommands.exists(key)], key: key, write: false)
        return try RedisKeyCommands.count(answer.replies[0], key: key, node: answer.node) > 0
    }

    /// `GET` and `PTTL` in one round trip.
    @inlinable package nonisolated(nonsending) func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL? {
        try KVLimits.check(key: key)
        try checkOpen()
        if let cache = nearCache(for: key) {
            if let hit = cache.hit(key) {
                cache.traceHit("GET")
                guard let value = hit.value else { return nil }
                guard let expiry = hit.serverExpiry else { return KVValueWithTTL(value: value, ttl: .persistent) }
                let left = expiry > RedisNearCache.now() ? expiry - RedisNearCache.now() : 0
                return KVValueWithTTL(value: value, ttl: .expires(in: max(.milliseconds(1), .nanoseconds(Int64(clamping: left)))))
            }
            let fetched = try await cache.traceMiss("GET") { () throws(KVError) -> RedisNearCache.Fetched in try await self.fetched(key, in: cache) }
            return fetched.value.map { KVValueWithTTL(value: $0, ttl: fetched.ttl) }
        }
        let answer = try await send(RedisAtomicCommands.getWithTTL(key), key: key, write: false)
        return try RedisAtomicCommands.valueWithTTL(answer.replies, key: key, node: answer.node)
    }

    /// One `EVALSHA` of the compare-and-set script (`EVAL` after `NOSCRIPT`).
    @inlinable package nonisolated(nonsending) func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        let ttl = try KVAtomic.check(key: key, expected: expected, new: new, options: setOptions)
        try checkOpen()
        return try await invalidating(key) { () throws(KVError) in
            try await RedisAtomicCommands.compareAndSet(key, expected: expected, new: new, ttlMilliseconds: ttl, keepTTL: setOptions.keepTTL) {
                (command) throws(KVError) in try await self.send([command], key: key, write: true)
            }
        }
    }

    /// `INCRBY`; with a TTL for a key it creates, one script.
    @inlinable package nonisolated(nonsending) func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        let ttl = try KVAtomic.check(key: key, ttlIfCreated: ttlIfCreated)
        try checkOpen()
        return try await invalidating(key) { () throws(KVError) in
            guard let ttl else {
                let answer = try await send([RedisAtomicCommands.incrementBy(key, delta)], key: key, write: true)
                return try RedisAtomicCommands.incremented(answer.replies[0], key: key, node: answer.node)
            }
            return try await RedisAtomicCommands.increment(key, by: delta, ttlMilliseconds: ttl) { (command) throws(KVError) in
                try await self.send([command], key: key, write: true)
            }
        }
    }

    /// Runs a write of `key`, dropping the key's near-cache entry (and any fetch in flight) before it is sent and
    /// after it ends, however it ends: the client reads its own writes.
    @inlinable package nonisolated(nonsending) func invalidating<T>(
        _ key: String, _ write: () async throws(KVError) -> T
    ) async throws(KVError) -> T {
        guard let cache = nearCache(for: key) else { return try await write() }
        cache.invalidate(CollectionOfOne(key))
        defer { cache.invalidate(CollectionOfOne(key)) }
        return try await write()
    }

    /// The server's answer for `key` after a near-cache miss (`GET` and `PTTL` in one round trip), stored for the
    /// next read unless the key changed meanwhile. Concurrent misses of one key share one fetch; a caller whose
    /// fetch was run by a task that was cancelled fetches again itself.
    @inlinable package nonisolated(nonsending) func fetched(_ key: String, in cache: RedisNearCache) async throws(KVError) -> RedisNearCache.Fetched {
        let flight = cache.flight(for: key)
        let outcome = await flight.run { await self.fetchOnce(key, in: cache) }
        cache.land(key, flight)
        switch outcome {
        case .success(let fetched)?:
            return fetched
        case .failure(let error)? where error.code != .cancelled || Task.isCancelled:
            throw error
        case .failure?, nil:
            return try await fetchOnce(key, in: cache).get()
        }
    }

    /// One fetch of `key` for the near cache, on the cache's own connection to its node (whose session tracks the
    /// key in the default mode). An error reply there (a cluster's redirect, `LOADING`) or a failure other than a
    /// timeout is not the cache's to handle: the key is then read as any read, under the store's rules, and not
    /// stored.
    @inlinable package nonisolated(nonsending) func fetchOnce(_ key: String, in cache: RedisNearCache) async -> Result<RedisNearCache.Fetched, KVError> {
        let ticket = cache.beginFetch(key)
        do throws(KVError) {
            let commands = RedisAtomicCommands.getWithTTL(key)
            do throws(KVError) {
                let replies = try await cache.fetching.execute(commands)
                if !replies.contains(where: { $0.errorMessage != nil }) {
                    let fetched = try RedisAtomicCommands.valueWithTTL(replies, key: key, node: cache.fetching.node)
                    cache.complete(ticket, value: fetched?.value, ttl: fetched?.ttl ?? .missingKey)
                    return .success(RedisNearCache.Fetched(value: fetched?.value, ttl: fetched?.ttl ?? .missingKey))
                }
            } catch where error.code != .timeout && error.code != .cancelled {
            } catch {
                throw error.keyed(key)
            }
            cache.abandon(ticket)
            let answer = try await send(commands, key: key, write: false)
            let fetched = try RedisAtomicCommands.valueWithTTL(answer.replies, key: key, node: answer.node)
            return .success(RedisNearCache.Fetched(value: fetched?.value, ttl: fetched?.ttl ?? .missingKey))
        } catch {
            cache.abandon(ticket)
            return .failure(error)
        }
    }
}
