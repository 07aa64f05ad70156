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
                try await cache.set("text", to: "42")
                await #expect(throws: KVError.self, "the string \"42\" read as an Int is an error") {
                    _ = try await cache.get("text", as: Int.self)
                }
                #expect(try await store.get(namespace + "text") == Array(#""42""#.utf8), "stored as JSON text")
                try await cache.set("profile", to: Profile(name: "ada"))
                await #expect(throws: KVError.self, "a struct read as a String is an error") {
                    _ = try await cache.get("profile", as: String.self)
                }
            }
        }
    }

    /// 64 tasks through `req.cache`: `increment` and `update` lose nothing under concurrency; on a cache that is
    /// not a `KVVaporCache` they are `unsupported`, never a silently lossy read and write.
    @Test(arguments: stores) func incrementAndUpdateThroughRequestCache(url: String) async throws {
        try await withStore(url) { store, namespace in
            try await withApp(configure: { app in
                app.caches.use(.kv(store, namespace: namespace))
                app.post("hit") { req async throws -> String in "\(try await req.cache.increment("hits"))" }
                app.post("cart", ":item") { req async throws -> String in
                    let item = try req.parameters.require("item")
                    let retry = KVUpdateRetry(maxAttempts: 10_000, initialBackoff: .microseconds(100), maxBackoff: .milliseconds(5))
                    let cart = try await req.cache.update("cart", as: [String].self, retry: retry) { cart in cart = (cart ?? []) + [item] }
                    return "\(cart?.count ?? 0)"
                }
            }) { app in
                let cache = try #require(app.cache as? KVVaporCache)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<64 {
                        group.addTask {
                            for i in 0..<20 {
                                _ = try await cache.increment("hits")
                                try await cache.update("cart", as: [String].self, retry: KVUpdateRetry(maxAttempts: 10_000)) { $0 = ($0 ?? []) + ["\(task)-\(i)"] }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await cache.get("hits", as: Int.self) == 1280)
                #expect(try await cache.get("cart", as: [String].self)?.count == 1280)
                try await app.testing().test(.POST, "hit") { response async throws in #expect(response.body.string == "1281") }
                try await app.testing().test(.POST, "cart/tea") { response async throws in #expect(response.body.string == "1281") }
                try await cache.set("gone", to: 1)
                #expect(try await cache.update("gone", as: Int.self, expiresIn: .seconds(0)) { $0 = 2 } == nil)
                #expect(try await store.get(namespace + "gone") == nil, "expiresIn 0 deletes")
                app.caches.use(.memory)
                await #expect(throws: KVError.self, "another cache has no compare-and-set") { _ = try await app.cache.increment("hits") }
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
