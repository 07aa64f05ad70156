#if VaporSupport
public import KVCore
public import Vapor

extension Cache {
    /// The cached value of `key`, or what `load` returns, stored for `ttl`. On a ``KVVaporCache`` (what
    /// `app.caches.use(.kv(store))` gives `req.cache`) it is `KVClient.getOrLoad(_:for:ttl:policy:tags:load:)`:
    /// one load per key at a time, stale values and tags. On another cache it reads, and on a miss loads and sets.
    ///
    /// ```swift
    /// let weather = try await req.cache.getOrLoad("weather:oslo", as: Weather.self, ttl: .seconds(300)) { try await fetchWeather() }
    /// ```
    public func getOrLoad<T: Codable & Sendable>(
        _ key: String, as type: T.Type, ttl: Duration, policy: KVCachePolicy = KVCachePolicy(), tags: [String] = [],
        load: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        if let cache = self as? KVVaporCache {
            return try await cache.client.getOrLoad(type, for: key, ttl: ttl, policy: policy, tags: tags, load: load)
        }
        if let cached = try await get(key, as: type) { return cached }
        let value = try await load()
        try await set(key, to: value, expiresIn: .seconds(Int(max(1, ttl.components.seconds))))
        return value
    }
}
#endif
