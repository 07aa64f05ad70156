import Foundation
import KV
import KVTestSupport
import Testing
#if VaporSupport
import KVVapor
import Vapor
#endif
#if HummingbirdSupport
import Hummingbird
import KVHummingbird
#endif

/// `getOrLoad` through the adapters, on memory and a real Redis: 200 concurrent requests for a missing key load it once.
@Suite(.serialized) struct CacheAsideAdapterTests {
    static let stores = ["memory://", TestServers.redisArgument]

    #if VaporSupport
    @Test(arguments: stores) func vaporRequestCacheLoadsOnce(url: String) async throws {
        try await withStore(url) { store, namespace in
            let app = try await Application.make(.testing)
            app.caches.use(.kv(store, namespace: namespace))
            let loads = Locked(0)
            let values = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await app.cache.getOrLoad("report", as: String.self, ttl: .seconds(60)) {
                            loads.withLock { $0 += 1 }
                            try await Task.sleep(for: .milliseconds(100))
                            return "loaded"
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            try await app.asyncShutdown()
            #expect(loads.value == 1 && values.allSatisfy { $0 == "loaded" } && values.count == 200, "\(loads.value) loads")
        }
    }
    #endif

    #if HummingbirdSupport
    @Test(arguments: stores) func hummingbirdPersistLoadsOnceAndTagsInvalidate(url: String) async throws {
        try await withStore(url) { store, namespace in
            let persist = KVPersistDriver(store: store, namespace: namespace)
            let loads = Locked(0)
            let load: @Sendable () async throws -> Int = {
                try await Task.sleep(for: .milliseconds(100))
                return loads.withLock { $0 += 1; return $0 }
            }
            let values = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 { group.addTask { try await persist.getOrLoad(key: "n", as: Int.self, ttl: .seconds(60), tags: ["t"], load: load) } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(loads.value == 1 && values.allSatisfy { $0 == 1 }, "\(loads.value) loads")
            try await persist.invalidate(tag: "t")
            #expect(try await persist.getOrLoad(key: "n", as: Int.self, ttl: .seconds(60), tags: ["t"], load: load) == 2)
        }
    }
    #endif
}
