#if HummingbirdSupport && VaporSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import KV
import KVHummingbird
import KVMemory
import KVTestSupport
import KVVapor
import Testing
import VaporTesting

/// The adapters run the store's background work, and serve `/health`. The memory store's `run()` sweeps expired
/// keys while it is watched, so an expiry is signalled without a touch only while something runs the store.
@Suite struct AdapterLifecycleTests {
    static func expirySignalledWithoutATouch(_ store: KVMemoryStore) async throws -> Bool {
        try await withWatch(store.watch(prefix: "swept:")) { log in
            guard await log.waitFor({ $0.first == .ready }) else { return false }
            try await (store as any KVStore).set("swept:k", [1], options: .ttl(.milliseconds(50)))
            return await log.waitFor(within: .seconds(3)) { events in events.filter { $0 == .changed("swept:k") }.count >= 2 }
        }
    }

    @Test func thePersistDriverRunsTheStore() async throws {
        let store = KVMemoryStore()
        let persist = KVPersistDriver(store: store)
        let swept = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await persist.run() }
            defer { group.cancelAll() }
            return try await Self.expirySignalledWithoutATouch(store)
        }
        #expect(swept, "the driver's run() runs the store's")
        await store.shutdown()
    }

    @Test func vaporRunsTheStoreFromBootToShutdown() async throws {
        let store = KVMemoryStore()
        try await withApp(configure: { app in
            app.caches.use(.kv(store))
            app.sessions.use(.kv(store))
        }) { app in
            try await app.asyncBoot()
            #expect(try await Self.expirySignalledWithoutATouch(store), "booted, the store runs")
        }
        await store.shutdown()
    }

    @Test func healthRoutesAnswer200Then503() async throws {
        let store = KVMemoryStore()
        let router = Router()
        router.addKVHealthRoute("/health", store: store)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body).contains(#""status":"healthy""#), "\(String(buffer: response.body))")
            }
            try await withApp(configure: { app in app.kvHealth("health", store: store) }) { app in
                try await app.testing().test(.GET, "health") { response in
                    #expect(response.status == .ok && response.body.string.contains(#""status":"healthy""#), "\(response.body.string)")
                }
                await store.shutdown()
                try await app.testing().test(.GET, "health") { response in
                    #expect(response.status == .serviceUnavailable && response.body.string.contains("shutdown"), "\(response.body.string)")
                }
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable, "\(String(buffer: response.body))")
            }
        }
    }
}
#endif
