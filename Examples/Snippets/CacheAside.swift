// Samples from docs/cache-aside.md (Tests/DocsTests checks that the two agree).
public import KV

struct Weather: Codable, Sendable { var celsius: Double }
struct Product: Codable, Sendable { var name: String }

/// Stands for something slow: a database or an HTTP call.
struct SlowSource: Sendable {
    func weather(_ city: String) async throws -> Weather { Weather(celsius: 4) }
    func product(_ id: String) async throws -> Product? { id == "0" ? nil : Product(name: "tea") }
    func user(_ id: Int) async throws -> String { "ada" }
}

public func cacheAside(store: any KVStore) async throws {
    let source = SlowSource()
    let cache = KVClient(store: store, namespace: "cache:")

    // Cached for 60 s; concurrent callers in this process share one load.
    let weather = try await cache.getOrLoad(Weather.self, for: "weather:oslo", ttl: .seconds(60)) {
        try await source.weather("oslo")
    }

    // Across processes: one instance loads, the others wait for its value (then load themselves after maxWait).
    let shared = KVCachePolicy(lease: KVCacheLease(ttl: .seconds(5), maxWait: .seconds(10)))
    let report = try await cache.getOrLoad(Weather.self, for: "weather:bergen", ttl: .seconds(60), policy: shared) {
        try await source.weather("bergen")
    }

    // Stale-while-revalidate: for 30 s after the TTL the old value comes back at once and one refresh runs
    // on the refresher (a Service in your ServiceGroup).
    let refresher = KVCacheRefresher()
    let fresh = KVCachePolicy(staleFor: .seconds(30), refresher: refresher)
    let current = try await cache.getOrLoad(Weather.self, for: "weather:tromso", ttl: .seconds(60), policy: fresh) {
        try await source.weather("tromso")
    }

    // Stale-if-error without serving stale values otherwise: callers wait for the refresh, and get the old
    // value only if the loader throws.
    let resilient = KVCachePolicy(staleFor: .seconds(600), revalidateInBackground: false, staleIfError: true)
    let lastKnown = try await cache.getOrLoad(Weather.self, for: "weather:alta", ttl: .seconds(60), policy: resilient) {
        try await source.weather("alta")
    }

    // Negative caching: a row that does not exist is remembered for 5 s.
    let product = try await cache.getOrLoadOptional(Product.self, for: "product:0", ttl: .seconds(300), policy: KVCachePolicy(negativeTTL: .seconds(5))) {
        try await source.product("0")
    }

    // Tags: invalidate every entry that depends on user 42, without scanning keys.
    let name = try await cache.getOrLoad(String.self, for: "profile:42", ttl: .seconds(600), tags: ["user:42"]) {
        try await source.user(42)
    }
    try await cache.invalidate(tag: "user:42")

    // Jitter: TTLs vary by ±20% so keys written together do not expire together (10% by default).
    let spread = KVCachePolicy(jitter: 0.2)
    _ = try await cache.getOrLoad(Weather.self, for: "weather:bodo", ttl: .seconds(60), policy: spread) { try await source.weather("bodo") }

    _ = (weather, report, current, lastKnown, product, name)
}
