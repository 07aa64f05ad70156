import Foundation
import KVCore
import KVRedis
import KVRedisCore
import KVTestSupport
import Testing

/// The watch feed on one Redis server: every change under the prefix made by another client is signalled (sets,
/// deletes, `PEXPIRE`, expiries, evictions), nothing outside it, no `resync` without a fault; each fault (every
/// connection killed, a flush, a frozen server, kill -9 and restart) is a `resync` and then `ready`; a consumer that
/// stops reading gets a `resync`, never unbounded memory; a server that refuses tracking ends it with `unsupported`.
@Suite(.serialized) struct RedisWatchTests {
    static func open(_ url: String) async throws -> KVRedisStore {
        try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: url + "?commandTimeout=500ms&connectTimeout=300ms")) as! KVRedisStore
    }

    /// A store that watches and another client that writes, both on `url`, shut down after `body`.
    static func withStoreAndWriter(_ url: String, _ body: (KVRedisStore, KVRedisStore) async throws -> Void) async throws {
        let store = try await open(url), writer = try await open(url)
        try await withShutdown(store) { () async throws in
            try await withShutdown(writer) { () async throws in try await body(store, writer) }
        }
    }

    @Test func everyChangeByAnotherClientUnderThePrefixIsSignalled() async throws {
        let url = try TestServers.redisURL
        let prefix = "watch:\(UInt32.random(in: 0...UInt32.max)):"
        try await Self.withStoreAndWriter(url) { store, writer in
            try await withWatch(store.watch(prefix: prefix)) { log in
                #expect(await log.waitFor { $0.first == .ready }, "ready first: \(log.events)")
                try await writer.set(prefix + "a", [1])
                try await writer.set("other:" + prefix, [1])
                _ = try await writer.delete(prefix + "a")
                try await writer.batchSet([KVEntry(prefix + "b", [2]), KVEntry(prefix + "c", [3])])
                try await writer.set(prefix + "t", [4], options: .ttl(.milliseconds(50)))
                try await writer.set(prefix + "p", [5])
                _ = try await writer.pool.send(RedisCommand("PEXPIRE", prefix + "p", "50"))
                // Expired keys are deleted by the server's expiry cycle (10 times a second) or when touched.
                #expect(await eventually {
                    let t = try? await writer.get(prefix + "t"), p = try? await writer.get(prefix + "p")
                    return t == .some(nil) && p == .some(nil)
                })
                #expect(await log.waitFor { _ in
                    let keys = log.changedKeys()
                    return keys.filter { $0 == prefix + "a" }.count >= 2 && keys.filter { $0 == prefix + "t" }.count >= 2
                        && keys.filter { $0 == prefix + "p" }.count >= 3 && keys.contains(prefix + "b") && keys.contains(prefix + "c")
                }, "set, delete, batch, TTL expiry, PEXPIRE and its expiry each signalled: \(log.events)")
                #expect(log.changedKeys().allSatisfy { $0.hasPrefix(prefix) }, "nothing outside the prefix: \(log.events)")
                #expect(log.resyncs().isEmpty, "no resync without a fault: \(log.events)")
                _ = try await writer.batchDelete([prefix + "b", prefix + "c"])
            }
        }
    }

    /// `rediss://` and `unix://`: the feed's own connections go over TLS and the Unix socket as the store's do.
    @Test func overTLSAndAUnixSocket() async throws {
        let (tlsServer, port) = try await RedisTLSTests.server()
        defer { tlsServer.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kv-w-\(UUID().uuidString.prefix(8)).sock").path
        let unixServer = try await TestRedisServer.launch(["--unixsocket", path, "--unixsocketperm", "700"])
        defer { unixServer.stop() }
        let urls = ["rediss://127.0.0.1:\(port)?\(try RedisTLSTests.tls.trustQuery)", "unix://\(path)"]
        for (url, server) in zip(urls, [tlsServer, unixServer]) {
            let store = try await KVBackendRegistry([KVRedisTLSBackend(), KVRedisUnixBackend()]).open(try KVConfiguration(url: url))
            try await withShutdown(store) { () async throws in
                try await withWatch(store.watch(prefix: "t:")) { log in
                    #expect(await log.waitFor { $0.first == .ready }, "\(url): ready")
                    try await server.cli("SET", "t:k", "1")
                    #expect(await log.waitFor { $0.contains(.changed("t:k")) }, "\(url): another client's write")
                    let start = log.count
                    try await server.cli("CLIENT", "KILL", "TYPE", "pubsub")
                    #expect(await log.resyncThenReady(after: start), "\(url): resync then ready: \(log.events)")
                }
            }
        }
    }

    /// Keys evicted under `maxmemory` are signalled: every key written and gone has a second event.
    @Test func evictionsAreSignalled() async throws {
        let server = try await TestRedisServer.launch(["--maxmemory", "4mb", "--maxmemory-policy", "allkeys-random"])
        defer { server.stop() }
        try await Self.withStoreAndWriter(server.url) { store, writer in
            try await withWatch(store.watch(prefix: "ev:")) { log in
                #expect(await log.waitFor { $0.first == .ready })
                let value = [UInt8](repeating: 7, count: 10_000)
                let keys = (0..<1_000).map { "ev:\($0)" }
                for key in keys { try await writer.set(key, value) }
                let kept = Set(try await writer.list(prefix: "ev:").collect())
                let evicted = keys.filter { !kept.contains($0) }
                #expect(evicted.count > 100, "10 MB into 4 MB evicts: \(evicted.count) evicted")
                #expect(await log.waitFor { _ in
                    let counts = Dictionary(log.changedKeys().map { ($0, 1) }, uniquingKeysWith: +)
                    return evicted.allSatisfy { counts[$0, default: 0] >= 2 }
                }, "every evicted key was signalled after its write")
                #expect(log.resyncs().isEmpty, "\(log.resyncs())")
            }
        }
    }

    /// Each fault is a `resync` then `ready`, and a change after `ready` is signalled again.
    @Test func everyFaultIsAResyncThenReady() async throws {
        let server = try await TestRedisServer.launch()
        defer { server.stop() }
        try await Self.withStoreAndWriter(server.url) { store, writer in
            try await withWatch(store.watch(prefix: "f:")) { log in
                #expect(await log.waitFor { $0.first == .ready })
                var step = 0
                func afterFault(_ name: String, _ fault: () async throws -> Void) async throws {
                    let start = log.count
                    try await fault()
                    #expect(await log.resyncThenReady(after: start), "\(name): resync then ready: \(log.events[start...])")
                    step += 1
                    let key = "f:after-\(step)"
                    #expect(await eventually(within: .seconds(10)) { (try? await writer.set(key, [1])) == true })
                    #expect(await log.waitFor(after: start) { $0.contains(.changed(key)) }, "\(name): changes are signalled again")
                    print("watch fault \(name): \(log.resyncs(after: start).map(\.description))")
                }
                try await afterFault("CLIENT KILL of every connection") {
                    try await server.cli("CLIENT", "KILL", "TYPE", "pubsub")
                    try await server.cli("CLIENT", "KILL", "TYPE", "normal")
                }
                try await afterFault("FLUSHALL") { try await server.cli("FLUSHALL") }
                try await afterFault("SIGSTOP for 3 s") {
                    server.pause()
                    try await Task.sleep(for: .seconds(3))
                    server.resume()
                }
                try await afterFault("kill -9 and restart") {
                    await server.kill()
                    try await Task.sleep(for: .milliseconds(500))
                    try await server.restart()
                }
            }
        }
    }

    /// A consumer that stops reading for 10 s while 100,000 changes happen gets a `resync`, and at most the
    /// buffer's capacity of events was kept for it.
    @Test func aConsumerThatStopsReadingGetsAResyncNotUnboundedMemory() async throws {
        let server = try await TestRedisServer.launch()
        defer { server.stop() }
        try await Self.withStoreAndWriter(server.url) { store, writer in
            var events = store.watch(prefix: "slow:").makeAsyncIterator()
            #expect(try await events.next() == .ready)
            let started = ContinuousClock.now
            for chunk in stride(from: 0, to: 100_000, by: 1_000) {
                try await writer.batchSet((chunk..<chunk + 1_000).map { KVEntry("slow:\($0)", [1]) })
            }
            try await Task.sleep(until: started + .seconds(10))
            try await writer.set("slow:after", [2])
            var seen: [KVWatchEvent] = []
            try await withWatchdog(.seconds(30), expire: { await store.shutdown() }) {
                while seen.last != .changed("slow:after"), seen.count <= 20_000, let event = try await events.next() { seen.append(event) }
            }
            let resynced = seen.contains { $0.isResync }
            #expect(resynced, "a resync for the consumer that fell behind")
            #expect(seen.count <= 10_002, "at most the buffer's capacity was kept: \(seen.count)")
            #expect(seen.last == .changed("slow:after"), "changes are signalled after the resync")
        }
    }

    /// A user without the `CLIENT` command cannot track: the feed ends with `unsupported`, naming the node.
    @Test func aServerThatRefusesTrackingEndsTheFeedWithUnsupported() async throws {
        let server = try await TestRedisServer.launch()
        defer { server.stop() }
        try await server.cli("ACL", "SETUSER", "notrack", "on", ">pw", "~*", "&*", "+@all", "-client")
        let store = try await Self.open("redis://notrack:pw@127.0.0.1:\(server.port)")
        try await withShutdown(store) { () async throws in
            try await withWatch(store.watch(prefix: "r:")) { log in
                let error = await log.waitForError()
                #expect(error?.code == .unsupported, "\(String(describing: error))")
                #expect(error?.message.contains("NOPERM") == true || error?.message.contains("permission") == true, "\(String(describing: error))")
                #expect(error?.message.contains("pw") == false, "no secret in the error")
                #expect(log.events.isEmpty)
            }
            try await store.set("r:still", [1])
            #expect(try await store.get("r:still") == [1], "the store itself works")
        }
    }

    @Test func aFeedEndsWithShutdownWhenTheStoreDoes() async throws {
        let store = try await Self.open(try TestServers.redisURL)
        let log = try await withWatch(store.watch(prefix: "sd:")) { log in
            #expect(await log.waitFor { $0.first == .ready })
            await store.shutdown()
            #expect(await log.waitForError()?.code == .shutdown)
            return log
        }
        #expect(log.events == [.ready])
        await #expect(throws: KVError.self) {
            for try await _ in store.watch(prefix: "sd:") {}
        }
    }
}
