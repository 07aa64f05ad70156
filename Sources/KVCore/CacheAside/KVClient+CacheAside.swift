import Logging
import Metrics

extension KVClient {
    /// The cached value of `key`, or what `load` returns, stored for `ttl`: cache-aside with one load per key at
    /// a time in the process (and across processes with a ``KVCachePolicy/lease``), stale-while-revalidate,
    /// stale-if-error, jittered TTLs and tags.
    ///
    /// ```swift
    /// let user = try await cache.getOrLoad(User.self, for: "user:42", ttl: .seconds(60), tags: ["user:42"]) {
    ///     try await database.user(id: 42)
    /// }
    /// ```
    ///
    /// - Throws: what `load` throws (unless an old value is served instead, see ``KVCachePolicy/staleIfError``),
    ///   or a ``KVError`` from the store.
    public func getOrLoad<T: Codable & Sendable>(
        _ type: T.Type = T.self, for key: String, ttl: Duration, policy: KVCachePolicy = KVCachePolicy(), tags: [String] = [],
        load: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        var noNegative = policy
        noNegative.negativeTTL = nil
        do {
            if let value = try await cacheAside(type, key: key, ttl: ttl, policy: noNegative, tags: tags, load: { try await load() }) { return value }
            // Only a remembered "nothing" of the optional form gives nil here: this form loads a value.
            _ = try await store.delete(namespace + key)
            return try await load()
        } catch let failure as CacheLoaderFailure {
            throw failure.underlying
        }
    }

    /// ``getOrLoad(_:for:ttl:policy:tags:load:)`` for a loader that may find nothing: nil is returned, and
    /// remembered for ``KVCachePolicy/negativeTTL`` when set (negative caching).
    ///
    /// ```swift
    /// let product = try await cache.getOrLoadOptional(Product.self, for: id, ttl: .seconds(300), policy: KVCachePolicy(negativeTTL: .seconds(5))) {
    ///     try await catalog.find(id)
    /// }
    /// ```
    public func getOrLoadOptional<T: Codable & Sendable>(
        _ type: T.Type = T.self, for key: String, ttl: Duration, policy: KVCachePolicy = KVCachePolicy(), tags: [String] = [],
        load: @escaping @Sendable () async throws -> T?
    ) async throws -> T? {
        do {
            return try await cacheAside(type, key: key, ttl: ttl, policy: policy, tags: tags, load: load)
        } catch let failure as CacheLoaderFailure {
            throw failure.underlying
        }
    }

    /// Makes every entry cached with `tag` a miss from now on, on any store, without scanning keys: the tag's
    /// version (an integer under `kv:tag:<tag>` in the namespace) goes up, and entries carry the version they
    /// were loaded under.
    ///
    /// ```swift
    /// try await cache.invalidate(tag: "user:42")
    /// ```
    public func invalidate(tag: String) async throws(KVError) {
        _ = try await store.increment(tagKey(tag), by: 1, ttlIfCreated: nil)
    }

    func tagKey(_ tag: String) -> String { namespace + "kv:tag:" + tag }

    // MARK: The steps

    private func cacheAside<T: Codable & Sendable>(
        _ type: T.Type, key: String, ttl: Duration, policy: KVCachePolicy, tags: [String], load: @escaping @Sendable () async throws -> T?
    ) async throws -> T? {
        guard ttl > .zero else { throw KVError.invalidArgument("ttl must be greater than zero, got \(ttl)", key: namespace + key) }
        // The stored header gives the tag count and each tag's length two bytes.
        guard tags.count <= CacheEntry.maxTagBytes, tags.allSatisfy({ $0.utf8.count <= CacheEntry.maxTagBytes }) else {
            throw KVError.invalidArgument("at most \(CacheEntry.maxTagBytes) tags of at most \(CacheEntry.maxTagBytes) bytes each", key: namespace + key)
        }
        let storedKey = namespace + key
        // A fresh hit costs one read and the value's decoding: nothing else is set up for it.
        let cached = try await CacheLoader.read(store, storedKey: storedKey, tags: tags, tagKeys: tags.map(tagKey), remembersNothing: policy.negativeTTL != nil)
        if let cached, cached.fresh { return try decoded(type, key: key, cached.entry.payload) }
        let flights = CacheFlights.flights(for: store, fallback: cacheFlights)
        let loader = CacheLoader(client: self, storedKey: storedKey, ttl: ttl, policy: policy, tags: tags) { () async throws -> [UInt8]? in
            try await load().map { (value) throws(KVError) in try encode(value, key: key) }
        }
        if let (entry, _) = cached {
            let value = try decoded(type, key: key, entry.payload)
            if policy.revalidateInBackground {
                await loader.refreshInBackground(flights)
                return value
            }
            do {
                return try decoded(type, key: key, try await flights.run(storedKey) { try await loader.loadAndStore() }.value)
            } catch let failure as CacheLoaderFailure where policy.staleIfError {
                CacheLoader.servedStale(after: failure.underlying, key: storedKey, policy: policy)
                return value
            }
        }
        return try decoded(type, key: key, try await flights.run(storedKey) { try await loader.loadAndStore() }.value)
    }

    private func decoded<T: Decodable>(_ type: T.Type, key: String, _ bytes: [UInt8]?) throws(KVError) -> T? {
        try bytes.map { (bytes) throws(KVError) in try decode(type, from: bytes, key: key) }
    }
}

/// An error the loader threw, told apart from the store's own (only the loader's make stale-if-error serve the
/// old value); callers get the loader's error itself.
struct CacheLoaderFailure: Error {
    let underlying: any Error
}

/// One key's cache-aside steps: read the entry, load and store it (with the lease), refresh it.
struct CacheLoader: Sendable {
    let client: KVClient
    let storedKey: String
    let ttl: Duration
    let policy: KVCachePolicy
    let tags: [String]
    let load: @Sendable () async throws -> [UInt8]?

    var store: any KVStore { client.store }
    var tagKeys: [String] { tags.map(client.tagKey) }

    /// The entry under the key if it is usable (its tags current), and whether it is fresh; nil for a miss.
    func cached() async throws(KVError) -> (entry: CacheEntry, fresh: Bool)? {
        try await Self.read(store, storedKey: storedKey, tags: tags, tagKeys: tagKeys, remembersNothing: policy.negativeTTL != nil)
    }

    /// The entry under `storedKey` if it is usable: its tags current (read in the same round trip), and a
    /// remembered "nothing" only when `remembersNothing`; and whether it is fresh. Nil for a miss.
    static func read(
        _ store: any KVStore, storedKey: String, tags: [String], tagKeys: [String], remembersNothing: Bool
    ) async throws(KVError) -> (entry: CacheEntry, fresh: Bool)? {
        let bytes: [UInt8]?
        var versions: [String: Int64] = [:]
        if tags.isEmpty {
            bytes = try await store.get(storedKey)
        } else {
            let found = try await store.batchGet([storedKey] + tagKeys)
            bytes = found[storedKey]
            versions = Self.versions(found, tags: tags, keys: tagKeys)
        }
        guard let bytes else { return nil }
        let entry = CacheEntry.decode(bytes)
        guard tags.allSatisfy({ entry.tags[$0] == versions[$0] }) else { return nil }
        if entry.payload == nil, !remembersNothing { return nil }
        return (entry, entry.expiresAt.map { CacheEntry.now() < $0 } ?? true)
    }

    static func versions(_ found: [String: [UInt8]], tags: [String], keys: [String]) -> [String: Int64] {
        var versions: [String: Int64] = [:]
        for (tag, key) in zip(tags, keys) { versions[tag] = found[key].flatMap { KVAtomic.parseInteger($0) } ?? 0 }
        return versions
    }

    /// Loads (under the lease, when the policy has one), stores the entry, and returns its payload.
    func loadAndStore() async throws -> [UInt8]? {
        guard let lease = policy.lease else { return try await loadAndStoreNow() }
        let leaseKey = client.namespace + "kv:lease:" + storedKey.dropFirst(client.namespace.count)
        let token = Array((0..<16).map { _ in "0123456789abcdef".randomElement()! }.map { $0.asciiValue! })
        let deadline = ContinuousClock.now + lease.maxWait
        while ContinuousClock.now < deadline {
            if let (entry, fresh) = try await cached(), fresh { return entry.payload }
            if try await store.set(leaseKey, token, options: KVSetOptions(ttl: lease.ttl, condition: .onlyIfAbsent)) {
                // Released only if still ours (it may have expired and been taken by another process).
                let release = { () async in _ = try? await store.compareAndSet(leaseKey, expected: token, new: nil, options: .default) }
                do {
                    // Another process may have stored the value between our look and the lease.
                    let payload: [UInt8]?
                    if let (entry, fresh) = try await cached(), fresh { payload = entry.payload } else { payload = try await loadAndStoreNow() }
                    await release()
                    return payload
                } catch {
                    await release()
                    throw error
                }
            }
            try await Task.sleep(for: lease.pollInterval)
        }
        // Whoever holds the lease is too slow or gone and its lease has not expired: load without it.
        return try await loadAndStoreNow()
    }

    private func loadAndStoreNow() async throws -> [UInt8]? {
        // Tag versions are read before loading: an invalidation during the load makes this entry a miss.
        let versions = tags.isEmpty ? [:] : Self.versions(try await store.batchGet(tagKeys), tags: tags, keys: tagKeys)
        let payload: [UInt8]?
        do { payload = try await load() } catch let error as KVError where error.code == .encodingFailed { throw error } catch {
            throw CacheLoaderFailure(underlying: error)
        }
        let lifetime: Duration
        if payload == nil {
            guard let negativeTTL = policy.negativeTTL else { return nil }
            lifetime = policy.jittered(negativeTTL)
        } else {
            lifetime = policy.jittered(ttl)
        }
        let entry = CacheEntry(
            payload: payload, expiresAt: policy.staleFor > .zero || !tags.isEmpty || payload == nil ? CacheEntry.now() + lifetime.roundedUpMilliseconds : nil,
            tags: versions)
        let stale = payload == nil ? .zero : policy.staleFor
        try await store.set(storedKey, entry.encoded(), options: .ttl(lifetime + stale))
        return payload
    }

    /// Starts one refresh of a stale entry unless one is queued or under way: on the policy's refresher when it
    /// runs (returning at once), else in this task (returning when it is done; meanwhile other callers get the
    /// old value). A refresh that finds the entry fresh when it starts (another one stored it since this caller
    /// read it) loads nothing.
    func refreshInBackground(_ flights: CacheFlights) async {
        guard flights.claimRefresh(storedKey) else { return }
        let refresh: @Sendable () async -> Void = { [self] in
            defer { flights.releaseRefresh(storedKey) }
            do {
                if let (_, fresh) = try await cached(), fresh { return }
                _ = try await flights.run(storedKey) { try await loadAndStore() }
            } catch {
                Self.servedStale(after: (error as? CacheLoaderFailure)?.underlying ?? error, key: storedKey, policy: policy)
            }
        }
        switch policy.refresher?.submit(refresh) {
        case .queued: return
        case .full: flights.releaseRefresh(storedKey)
        case .notRunning, nil: await refresh()
        }
    }

    /// Notes an old value served because its refresh failed: a debug log and `kv_cache_stale_on_error_total`.
    static func servedStale(after error: any Error, key: String, policy: KVCachePolicy) {
        Counter(label: "kv_cache_stale_on_error_total").increment()
        policy.logger.debug("served a stale value: its refresh failed", metadata: ["key": "\(key)", "error": "\(error)"])
    }
}
