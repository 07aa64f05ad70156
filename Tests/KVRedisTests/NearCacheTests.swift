import CHeapProbe
import Foundation
import KVConformance
import KVCore
import KVRedis
import KVRedisConfiguration
import KVRedisCore
import KVSoak
import KVTestSupport
import Testing

/// The near cache against real servers of the tests' own: another client's writes reach the caching client, its
/// own writes are read back at once, and every loss of coverage flushes before another hit.
@Suite struct NearCacheTests {
    /// The two tracking modes: of the keys the cache reads (no prefixes), and broadcast of prefixes that cover
    /// every key these tests cache.
    enum Mode: String, CaseIterable, Sendable {
        case tracking
        case broadcast

        var query: String { self == .tracking ? "" : "&nearCachePrefixes=k,cart:,own,hits,seq,hot,budget:" }
    }

    static func caching(_ server: TestRedisServer, _ query: String = "") async throws -> KVRedisStore {
        let store = try await KVBackendRegistry([KVRedisBackend()]).open(
            try KVConfiguration(url: server.url + "?nearCache=on&commandTimeout=1s&connectTimeout=500ms" + query)) as! KVRedisStore
        let armed = await eventually { store.client.nearCache?.status == .armed }
        #expect(armed, "the invalidation connection subscribes")
        return store
    }

    /// A server of the test's own, a caching store and a plain writer on it, shut down and stopped after `body`.
    static func withCachingAndWriter(
        _ query: String = "", _ body: (TestRedisServer, KVRedisStore, KVRedisStore) async throws -> Void
    ) async throws {
        let server = try await TestRedisServer.launch()
        defer { server.stop() }
        let store = try await caching(server, query)
        let writer = plain(server)
        try await withShutdown(store) { () async throws in
            try await withShutdown(writer) { () async throws in try await body(server, store, writer) }
        }
    }

    static func plain(_ server: TestRedisServer) -> KVRedisStore {
        KVRedisStore(options: .init(endpoint: KVEndpoint(host: "127.0.0.1", port: server.port)))
    }

    static func counter(_ store: KVRedisStore, _ name: String) -> Int {
        Int(store.client.nearCache?.details[name] ?? "") ?? -1
    }

    /// Reads `key` through `store` until it returns `expected`, for at most 5 s.
    static func converges(_ store: KVRedisStore, _ key: String, to expected: [UInt8]?) async -> Bool {
        await eventually { (try? await store.get(key)) == .some(expected) }
    }

    @Test(arguments: Mode.allCases) func anotherClientsWritesReachTheCachingClient(_ mode: Mode) async throws {
        let server = try await TestRedisServer.launch()
        let store = try await Self.caching(server, mode.query)
        let writer = Self.plain(server)
        try await withShutdown(store) { () async throws in
            try await withShutdown(writer) { () async throws in
                try await writer.set("cart:1", Array("one".utf8))
                // Broadcast tracking reports every write: once this one's report is in, nothing else will drop the
                // entry. (Tracking of the keys read reports nothing: the key was not read before.)
                if mode == .broadcast { #expect(await eventually { Self.counter(store, "nearCacheInvalidations") >= 1 }) }
                #expect(try await store.get("cart:1") == Array("one".utf8))
                let hitsBefore = Self.counter(store, "nearCacheHits")
                for _ in 0..<100 { #expect(try await store.get("cart:1") == Array("one".utf8)) }
                #expect(Self.counter(store, "nearCacheHits") == hitsBefore + 100, "served from memory")
                #expect(try await store.contains("cart:1"))
                #expect(try await store.getWithTTL("cart:1")?.ttl == .persistent)

                try await writer.set("cart:1", Array("two".utf8))
                #expect(await Self.converges(store, "cart:1", to: Array("two".utf8)))
                _ = try await writer.delete("cart:1")
                #expect(await Self.converges(store, "cart:1", to: nil))
                #expect(try await store.contains("cart:1") == false)

                // Absent keys are cached too, and a later creation invalidates them.
                #expect(try await store.get("cart:2") == nil)
                try await writer.set("cart:2", [2])
                #expect(await Self.converges(store, "cart:2", to: [2]))
                let found = try await store.batchGet(["cart:1", "cart:2", "cart:3"])
                #expect(found == ["cart:2": [2]])
                try await writer.set("cart:3", [3])
                #expect(await eventually { (try? await store.batchGet(["cart:2", "cart:3"])) == ["cart:2": [2], "cart:3": [3]] })
            }
        }
        server.stop()
    }

    @Test(arguments: Mode.allCases) func theCachingClientReadsItsOwnWritesOnEveryPath(_ mode: Mode) async throws {
        let server = try await TestRedisServer.launch()
        let store = try await Self.caching(server, mode.query)
        try await withShutdown(store) { () async throws in
            for round in 0..<20 {
                let value = Array("v\(round)".utf8)
                try await store.set("own", value)
                #expect(try await store.get("own") == value)
                #expect(try await store.get("own") == value)
            }
            try await store.set("own", [1], options: KVSetOptions(ttl: .seconds(30)))
            #expect(try await store.getWithTTL("own")?.value == [1])
            #expect(try await store.set("own", [2], options: KVSetOptions(condition: .onlyIfPresent)))
            #expect(try await store.get("own") == [2])
            #expect(try await store.compareAndSet("own", expected: [2], new: [3], options: .default))
            #expect(try await store.get("own") == [3])
            #expect(try await store.delete("own"))
            #expect(try await store.get("own") == nil)
            #expect(try await store.increment("hits", by: 5, ttlIfCreated: nil) == 5)
            #expect(try await store.get("hits") == Array("5".utf8))
            #expect(try await store.increment("hits", by: 1, ttlIfCreated: .seconds(10)) == 6)
            #expect(try await store.get("hits") == Array("6".utf8))
            try await store.batchSet([KVEntry("hits", [9]), KVEntry("own", [4])], options: .default)
            #expect(try await store.batchGet(["hits", "own"]) == ["hits": [9], "own": [4]])
            #expect(try await store.batchDelete(["hits", "own"]) == 2)
            #expect(try await store.get("hits") == nil)
            #expect(try await store.get("own") == nil)
        }
        server.stop()
    }

    @Test(arguments: Mode.allCases) func aFlushOfTheServerFlushesTheCache(_ mode: Mode) async throws {
        let server = try await TestRedisServer.launch()
        let store = try await Self.caching(server, mode.query)
        try await withShutdown(store) { () async throws in
            try await store.set("k", [1])
            #expect(try await store.get("k") == [1])
            _ = try await server.cli("FLUSHALL")
            #expect(await Self.converges(store, "k", to: nil))
        }
        server.stop()
    }

    @Test(arguments: Mode.allCases) func aKilledInvalidationConnectionFlushesAndIsReplaced(_ mode: Mode) async throws {
        try await Self.withCachingAndWriter(mode.query) { server, store, writer in
            try await writer.set("k", [1])
            #expect(try await store.get("k") == [1])
            #expect(try await store.get("k") == [1])
            let flushes = Self.counter(store, "nearCacheFlushes")
            _ = try await server.cli("CLIENT", "KILL", "TYPE", "pubsub")
            #expect(await eventually { Self.counter(store, "nearCacheFlushes") > flushes }, "the loss is seen and the node flushed")
            #expect(await eventually { store.client.nearCache?.status == .armed }, "a new invalidation connection subscribes")
            try await writer.set("k", [2])
            #expect(await Self.converges(store, "k", to: [2]))
            // Broadcast tracking lives on the invalidation connection: killing the data connections loses
            // nothing. Tracking of the keys read lives on the tracked connection: its loss flushes.
            _ = try await server.cli("CLIENT", "KILL", "TYPE", "normal")
            try await writer.set("k", [3])
            #expect(await Self.converges(store, "k", to: [3]))
        }
    }

    @Test(arguments: Mode.allCases) func aRestartedServerFlushesTheCache(_ mode: Mode) async throws {
        let server = try await TestRedisServer.launch()
        let store = try await Self.caching(server, mode.query)
        try await withShutdown(store) { () async throws in
            try await store.set("k", [1])
            #expect(try await store.get("k") == [1])
            await server.kill()
            try await server.restart()
            // The restarted server is empty: the cached [1] must not be served.
            #expect(await Self.converges(store, "k", to: nil))
            #expect(await eventually { store.client.nearCache?.status == .armed })
        }
        server.stop()
    }

    @Test(arguments: Mode.allCases) func aFrozenServerDisarmsTheCacheWithinItsPingDeadline(_ mode: Mode) async throws {
        let server = try await TestRedisServer.launch()
        let store = try await Self.caching(server, mode.query)
        try await withShutdown(store) { () async throws in
            try await store.set("k", [1])
            #expect(try await store.get("k") == [1])
            server.pause()
            let disarmed = await eventually(within: .seconds(10)) { store.client.nearCache?.status == .connecting }
            server.resume()
            #expect(disarmed, "no pong within the deadline: the node is flushed and nothing is served from memory")
            #expect(await eventually(within: .seconds(10)) { store.client.nearCache?.status == .armed })
            #expect(try await store.get("k") == [1])
        }
        server.stop()
    }

    @Test func keysOutsideThePrefixesAreNotCachedAndEntriesEndWithTheirKey() async throws {
        let server = try await TestRedisServer.launch()
        let store = try await Self.caching(server, "&nearCachePrefixes=session:,cart:")
        try await withShutdown(store) { () async throws in
            try await store.set("other", [1])
            _ = try await store.get("other")
            _ = try await store.get("other")
            #expect(Self.counter(store, "nearCacheHits") == 0)
            try await store.set("session:1", [1], options: KVSetOptions(ttl: .seconds(1)))
            // The server reports the write itself too; an entry fetched before that report arrives is dropped by it.
            #expect(await eventually { (try? await store.get("session:1")) == [1] && Self.counter(store, "nearCacheHits") > 0 })
            #expect(await eventually { (try? await store.get("session:1")) == .some(nil) }, "gone with the key's expiry")
        }
        server.stop()
    }

    @Test(arguments: Mode.allCases) func theCacheStaysWithinItsBudget(_ mode: Mode) async throws {
        let server = try await TestRedisServer.launch()
        let store = try await Self.caching(server, "&nearCacheMaxBytes=262144" + mode.query)
        try await withShutdown(store) { () async throws in
            let value = [UInt8](repeating: 1, count: 500)
            try await store.batchSet((0..<5_000).map { KVEntry("budget:\($0)", value) }, options: .default)
            for start in stride(from: 0, to: 5_000, by: 500) {
                _ = try await store.batchGet((start..<start + 500).map { "budget:\($0)" })
                #expect(Self.counter(store, "nearCacheBytes") <= 262_144)
            }
            #expect(Self.counter(store, "nearCacheEntries") > 100)
        }
        server.stop()
    }

    /// A million distinct keys read through a 4 MiB cache: the counted bytes never pass the budget, and the heap
    /// (glibc's count of bytes in use) grows by no more than half as much again (run alone it grew 3.9 MB for the
    /// 4 MiB budget; the heap is the whole process's, where other tests' threads may still be ending).
    @Test func memoryStaysWithinTheBudgetWhileAMillionDistinctKeysAreRead() async throws {
        let server = try await TestRedisServer.launch()
        let budget = 4 << 20
        let store = try await Self.caching(server, "&nearCacheMaxBytes=\(budget)&nearCachePrefixes=m:")
        try await withShutdown(store) { () async throws in
            _ = try await store.batchGet((0..<10_000).map { "warm:\($0)" })  // the connections' buffers, grown once
            let before = Int(kv_heap_bytes_in_use())
            var counted = 0
            var grown = 0
            for start in stride(from: 0, to: 1_000_000, by: 10_000) {
                _ = try await store.batchGet((start..<start + 10_000).map { "m:\($0)" })
                counted = max(counted, Self.counter(store, "nearCacheBytes"))
                grown = max(grown, Int(kv_heap_bytes_in_use()) - before)
            }
            print("1M distinct keys through a \(budget)-byte near cache: at most \(counted) bytes counted, heap grew at most \(grown) bytes, \(Self.counter(store, "nearCacheEntries")) entries at the end")
            #expect(counted <= budget)
            #expect(Self.counter(store, "nearCacheEntries") > 5_000, "the budget is used")
            #expect(grown <= budget + budget / 2, "the heap grew \(grown) bytes for a budget of \(budget)")
        }
        server.stop()
    }

    @Test func aUserWithoutTheChannelWorksUncachedAndHealthSaysWhy() async throws {
        let server = try await TestRedisServer.launch()
        _ = try await server.cli("ACL", "SETUSER", "nochannel", "on", ">pw", "~*", "+@all", "resetchannels")
        let store = try await KVBackendRegistry([KVRedisBackend()]).open(
            try KVConfiguration(url: "redis://nochannel:pw@127.0.0.1:\(server.port)?nearCache=on")) as! KVRedisStore
        try await withShutdown(store) { () async throws in
            #expect(await eventually { if case .off = store.client.nearCache?.status { true } else { false } })
            try await store.set("k", [1])
            #expect(try await store.get("k") == [1])
            let health = try await store.health()
            let status = health.nodes[0].details["nearCache"] ?? ""
            #expect(status.hasPrefix("off: ") && status.contains("NOPERM"), "\(status)")
            #expect(health.nodes[0].status == .healthy)
        }
        server.stop()
    }

    typealias Cart = CountingCart

    @Test(arguments: Mode.allCases) func kvClientHitsReturnTheDecodedValueUntilTheKeyChanges(_ mode: Mode) async throws {
        let owner = "decoded-\(mode)"
        try await Self.withCachingAndWriter(mode.query) { _, store, writer in
            let client = KVClient(store: store)
            try await KVClient(store: writer).set(Cart(owner: owner, items: ["tea"]), for: "cart:d")
            // Broadcast tracking may report the writer's write after a read fetched it, dropping that entry once
            // more: wait for a read that memory serves without decoding.
            #expect(await eventually {
                let before = CountingCart.decodes(of: owner)
                return (try? await client.get(Cart.self, for: "cart:d"))?.items == ["tea"] && CountingCart.decodes(of: owner) == before
            })
            let decodes = CountingCart.decodes(of: owner)
            for _ in 0..<50 { #expect(try await client.get(Cart.self, for: "cart:d") == Cart(owner: owner, items: ["tea"])) }
            #expect(CountingCart.decodes(of: owner) == decodes, "hits return the kept value")
            try await KVClient(store: writer).set(Cart(owner: owner, items: ["tea", "jam"]), for: "cart:d")
            #expect(await eventually { (try? await client.get(Cart.self, for: "cart:d"))?.items == ["tea", "jam"] }, "another client's write drops it")
            try await client.set(Cart(owner: owner, items: []), for: "cart:d")
            #expect(try await client.get(Cart.self, for: "cart:d")?.items == [], "and so does the client's own")
        }
    }

    @Test func trackingReportsOnlyTheKeysReadOnASessionOfItsOwn() async throws {
        let server = try await TestRedisServer.launch()
        let store = try await Self.caching(server)
        let writer = Self.plain(server)
        try await withShutdown(store) { () async throws in
            try await withShutdown(writer) { () async throws in
                #expect(try await store.get("read") == nil)
                let clients = try await server.cli("CLIENT", "LIST")
                let redirected = clients.split(whereSeparator: \.isNewline).filter { $0.contains("flags=t") && !$0.contains("redir=-1") }
                #expect(redirected.count == 1, "one tracked session, redirected to the listener: \(clients)")
                for round in 0..<20 { try await writer.set("unread:\(round)", [1]) }
                try await writer.set("read", [2])
                #expect(await Self.converges(store, "read", to: [2]))
                #expect(Self.counter(store, "nearCacheInvalidations") == 1, "only the key read is reported")
            }
        }
        server.stop()
    }

    @Test func aKilledTrackedSessionFlushesWithoutWaitingForARead() async throws {
        try await Self.withCachingAndWriter { server, store, writer in
            try await writer.set("k", [1])
            #expect(try await store.get("k") == [1])
            #expect(try await store.get("k") == [1])
            let flushes = Self.counter(store, "nearCacheFlushes")
            // The server forgets the keys a killed session read (redis #11767): the next heartbeat finds the
            // session gone and flushes, before any read asks.
            _ = try await server.cli("CLIENT", "KILL", "TYPE", "normal")
            #expect(await eventually { Self.counter(store, "nearCacheFlushes") > flushes }, "the tracked session's loss flushes the node")
            try await writer.set("k", [2])
            #expect(try await store.get("k") == [2])
            // A new session tracks the key again.
            try await writer.set("k", [3])
            #expect(await Self.converges(store, "k", to: [3]))
        }
    }

    @Test(arguments: Mode.allCases) func readsRacingAWriterNeverGoBackInTime(_ mode: Mode) async throws {
        let server = try await TestRedisServer.launch()
        let store = try await Self.caching(server, mode.query)
        let writer = Self.plain(server)
        try await withShutdown(store) { () async throws in
            try await withShutdown(writer) { () async throws in
                try await writer.set("seq", Array("0".utf8))
                async let written: Void = {
                    for value in 1...2_000 { try await writer.set("seq", Array(String(value).utf8)) }
                }()
                var last = 0
                var wentBack = 0
                for _ in 0..<4_000 {
                    let value = Int(String(decoding: try await store.get("seq") ?? [], as: UTF8.self)) ?? -1
                    if value < last { wentBack += 1 }
                    last = max(last, value)
                }
                try await written
                #expect(wentBack == 0, "a read returned an older value than an earlier read")
                #expect(await Self.converges(store, "seq", to: Array("2000".utf8)), "the last write is read within the delivery bound")
            }
        }
        server.stop()
    }
}

/// The staleness workload measures what it should: reads straight from the server after an acknowledged write
/// are never stale, and reads through a near cache are checked the same way.
@Suite struct StalenessWorkloadTests {
    @Test func readsFromTheServerAreNeverStaleAndCachedReadsAreMeasured() async throws {
        let server = try await TestRedisServer.launch()
        let writer = NearCacheTests.plain(server)
        let direct = NearCacheTests.plain(server)
        let cached = try await NearCacheTests.caching(server)
        try await withShutdown(writer) { () async throws in
            try await withShutdown(direct) { () async throws in
                try await withShutdown(cached) { () async throws in
                    let configuration = KVSoakRunner.Configuration(workload: .staleness, duration: .seconds(1), tasks: 2, keys: 5)
                    let plain = await KVSoakRunner(store: direct, configuration: configuration, writer: writer).run()
                    let measured = try #require(plain.staleness)
                    #expect(measured.reads > 0 && measured.writes > 0)
                    #expect(measured.stale == 0 && measured.worstMs == 0, "a read that began after an acknowledged write saw it: \(plain.summary)")
                    let throughCache = await KVSoakRunner(store: cached, configuration: configuration, writer: writer).run()
                    let checked = try #require(throughCache.staleness)
                    #expect(checked.reads > 0 && checked.writes > 0, "\(throughCache.summary)")
                    print("staleness through the near cache (test run, not a benchmark): \(throughCache.summary)")
                }
            }
        }
        server.stop()
    }
}

/// The whole contract with the near cache on, database 3, flushed before each case.
@Suite(.serialized) struct NearCacheConformanceTests {
    static let harness = KVConformanceHarness(rawKeys: KVRawKeyAccess(
        write: { store, key, value in _ = try await (store as! KVRedisStore).pool.send(RedisCommand(raw: "SET", key, value)).orThrow(node: "redis") },
        read: { store, key in try await (store as! KVRedisStore).pool.send(RedisCommand(raw: "GET", key)).orThrow(node: "redis").bytes }
    )) {
        let store = try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: TestServers.redisURL + "/3?nearCache=on"))
        _ = try await (store as! KVRedisStore).pool.send(.init("FLUSHDB"))
        _ = await eventually { (store as! KVRedisStore).client.nearCache?.status == .armed }
        return store
    }

    @Test(arguments: KVConformance.cases)
    func conformance(_ testCase: KVConformanceCase) async throws {
        try await testCase.run(Self.harness)
    }
}

/// Concurrent misses of one key share one fetch, and a write never lets a later reader join a fetch that began
/// before it.
@Suite struct NearCacheSingleFlightTests {
    static func getCalls(_ server: TestRedisServer) async throws -> Int {
        let stats = try await server.cli("INFO", "commandstats")
        guard let line = stats.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_get:") }),
              let calls = line.split(separator: "=").dropFirst().first?.split(separator: ",").first else { return 0 }
        return Int(calls) ?? -1
    }

    @Test(arguments: NearCacheTests.Mode.allCases) func fiftyConcurrentMissesOfOneKeyCostOneGet(_ mode: NearCacheTests.Mode) async throws {
        let server = try await TestRedisServer.launch()
        let store = try await NearCacheTests.caching(server, mode.query)
        try await withShutdown(store) { () async throws in
            let writer = NearCacheTests.plain(server)
            try await withShutdown(writer) { () async throws in try await writer.set("hot", [7]) }
            // Wait out the report of that write (broadcast only: the key was never read), then hold the server so that
            // every miss arrives during the first fetch.
            if mode == .broadcast { #expect(await eventually { NearCacheTests.counter(store, "nearCacheInvalidations") >= 1 }) }
            let before = try await Self.getCalls(server)
            server.pause()
            let values = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                for _ in 0..<50 { group.addTask { try await store.get("hot") } }
                let queued = await eventually(within: .seconds(5)) { store.client.nearCache?.waitingForFetch(of: "hot") == 49 }
                server.resume()
                #expect(queued, "49 callers wait for the first caller's fetch")
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(values.count == 50 && values.allSatisfy { $0 == [7] })
            #expect(try await Self.getCalls(server) - before == 1, "one GET for 50 concurrent misses")
        }
        server.stop()
    }
}
