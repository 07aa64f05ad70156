#if VaporSupport
import Foundation
import KV
import KVTestSupport
import KVVapor
import Testing
import VaporTesting

/// `KVVaporCache` behind `app.caches.use(.kv(store))`: routes read and write through `req.cache`, on the
/// memory store and on a real Redis, with Vapor's semantics (nil deletes, `expiresIn` is a TTL).
@Suite(.serialized) struct VaporCacheTests {
    static let stores = ["memory://", TestServers.redisArgument]

    /// An expiry of zero seconds or less means gone at once: the old value is not left readable.
    @Test(arguments: stores) func anExpiryOfZeroOrLessExpiresAtOnce(url: String) async throws {
        try await withStore(url) { store, namespace in
            try await withApp(configure: { app in app.caches.use(.kv(store, namespace: namespace)) }) { app in
                let cache = app.cache
                for seconds in [0, -5] {
                    try await cache.set("k", to: "old")
                    try await cache.set("k", to: "new", expiresIn: .seconds(seconds))
                    #expect(try await cache.get("k", as: String.self) == nil, "expiresIn \(seconds) s leaves nothing to read")
                    #expect(try await store.get(namespace + "k") == nil)
                }
            }
        }
    }

    @Test(arguments: stores) func routesUseTheStoreThroughRequestCache(url: String) async throws {
        try await withStore(url) { store, namespace in
            try await withApp(configure: { app in
                app.caches.use(.kv(store, namespace: namespace))
                app.get("hits") { req async throws -> String in
                    let hits = (try await req.cache.get("hits", as: Int.self) ?? 0) + 1
                    try await req.cache.set("hits", to: hits, expiresIn: .minutes(5))
                    return "\(hits)"
                }
                app.delete("hits") { req async throws -> HTTPStatus in
                    try await req.cache.delete("hits")
                    return .noContent
                }
            }) { app in
                for expected in 1...3 {
                    try await app.testing().test(.GET, "hits") { response in
                        #expect(response.body.string == "\(expected)")
                    }
                }
                let ttl = try await store.ttl(namespace + "hits").remaining
                #expect(ttl.map { $0 > .seconds(290) && $0 <= .seconds(300) } == true, "expiresIn became the key's TTL: \(String(describing: ttl))")
                try await app.testing().test(.DELETE, "hits") { #expect($0.status == .noContent) }
                #expect(try await store.get(namespace + "hits") == nil)
                try await app.testing().test(.GET, "hits") { #expect($0.body.string == "1", "counting starts again") }
            }
        }
    }

    @Test(arguments: stores) func cacheSemantics(url: String) async throws {
        struct Profile: Codable, Sendable, Equatable { var name: String }
        try await withStore(url) { store, namespace in
            try await withApp(configure: { app in app.caches.use(.kv(store, namespace: namespace)) }) { app in
                let cache = app.cache
                try await cache.set("profile", to: Profile(name: "ada"))
                #expect(try await cache.get("profile", as: Profile.self) == Profile(name: "ada"))
                #expect(try await store.ttl(namespace + "profile") == .persistent, "no expiresIn, no TTL")

                try await cache.set("profile", to: Profile?.none)
                #expect(try await cache.get("profile", as: Profile.self) == nil, "setting nil deletes")

                try await cache.set("brief", to: "x", expiresIn: .seconds(1))
                #expect(try await store.ttl(namespace + "brief").remaining.map { $0 <= .seconds(1) } == true)

                try await cache.set("name", to: "ada")
                await #expect(throws: KVError.self, "a value of another type is an error, not nil") {
                    _ = try await cache.get("name", as: Int.self)
                }
            }
        }
    }

    /// The `EventLoopFuture` forms of `Cache` complete on the cache's event loop with the store's answers.
    @Test func futureFormsCompleteOnTheEventLoop() async throws {
        try await withStore("memory://") { store, namespace in
            try await withApp(configure: { app in app.caches.use(.kv(store, namespace: namespace)) }) { app in
                let loop = app.eventLoopGroup.next()
                let cache = KVVaporCache(store: store, namespace: namespace, on: loop)
                try await cache.set("k", to: 42).get()
                let value: Int? = try await cache.get("k", as: Int.self).flatMap { value in
                    loop.assertInEventLoop()
                    return loop.makeSucceededFuture(value)
                }.get()
                #expect(value == 42)
                try await cache.delete("k").get()
                #expect(try await cache.get("k", as: Int.self).get() == nil)
            }
        }
    }
}
#endif
