import Foundation
import KVCore
import KVRedis
import KVTestSupport
import Testing

/// Replies no real server sends, from a fake node: a huge aggregate or bulk header fails the call at once with
/// a typed error naming the node, nothing large is allocated, and every thread and socket the store opened is
/// gone soon after `shutdown()`, whatever the peer did.
@Suite(.serialized) struct RedisHostileReplyTests {
    static func store(_ node: FakeRedisNode, _ query: String = "") async throws -> any KVStore {
        try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: "redis://\(node.endpoint)?commandTimeout=1s&poolSize=1" + query))
    }

    /// Waits (up to 5 s) until this process has no more connection threads and sockets than `threads` and
    /// `sockets`; returns how long that took, or nil.
    static func released(toThreads threads: Int, sockets: Int) async -> Duration? {
        let start = ContinuousClock.now
        let done = await eventually(within: .seconds(5)) {
            ProcessResources.threads(named: "kv-redis") <= threads && ProcessResources.sockets <= sockets
        }
        return done ? ContinuousClock.now - start : nil
    }

    @Test(arguments: [
        ("*2147483647\r\n", "array of 2147483647 elements"),
        ("$2147483647\r\n", "string of 2147483647 bytes"),
        ("*2\r\n$3\r\nabc\r\n$999999999999\r\n", "string of 999999999999 bytes"),
        ("*1\r\n*3000000\r\n", "array of 3000000 elements"),
    ])
    func aHugeHeaderFailsTheCallAtOnceAndLeavesNothingBehind(header: String, described: String) async throws {
        let node = try FakeRedisNode { command in command.first == "GET" ? .bytes(Array(header.utf8)) : .bytes(Array("+OK\r\n".utf8)) }
        defer { node.close() }
        let threads = ProcessResources.threads(named: "kv-redis")
        let sockets = ProcessResources.sockets
        var stores: [any KVStore] = []
        for _ in 0..<16 {
            let store = try await Self.store(node)
            stores.append(store)
            do {
                _ = try await store.get("k")
                Issue.record("a hostile reply was accepted")
            } catch {
                #expect(error.code == .serverError && error.node == node.endpoint && error.message.contains(described), "\(error)")
            }
        }
        for store in stores { await store.shutdown() }
        let took = await Self.released(toThreads: threads, sockets: sockets)
        print("hostile reply \(header.debugDescription): 16 stores' threads and sockets released after shutdown in \(took.map { "\($0)" } ?? "more than 5 s")")
        #expect(took != nil, "threads \(ProcessResources.threads(named: "kv-redis")) (before \(threads)), sockets \(ProcessResources.sockets) (before \(sockets))")
    }

    @Test func aReplyLineThatNeverEndsIsRefusedAtTheLimit() async throws {
        let line = "+" + String(repeating: "a", count: 200_000)
        let node = try FakeRedisNode { command in command.first == "GET" ? .bytes(Array(line.utf8)) : .bytes(Array("+OK\r\n".utf8)) }
        defer { node.close() }
        let store = try await Self.store(node, "&maxReplyBytes=65536")
        do {
            _ = try await store.get("k")
            Issue.record("an endless line was accepted")
        } catch {
            #expect(error.code == .serverError && error.message.contains("without ending a reply line"), "\(error)")
        }
        await store.shutdown()
    }

    @Test func repliesWithinTheLimitsAreRead() async throws {
        let value = String(repeating: "v", count: 100_000)
        let node = try FakeRedisNode { command in
            command.first == "GET" ? .bytes(Array("$\(value.utf8.count)\r\n\(value)\r\n".utf8)) : .bytes(Array("+OK\r\n".utf8))
        }
        defer { node.close() }
        let store = try await Self.store(node, "&maxReplyBytes=100000")
        #expect(try await store.get("k") == Array(value.utf8))
        await store.shutdown()
    }

    /// A peer that never answers: the call times out, and at `shutdown()` the connection thread, blocked in
    /// its read, ends at once (its socket is shut down under it).
    @Test func shutdownEndsAConnectionThreadBlockedOnASilentPeer() async throws {
        let node = try FakeRedisNode { command in command.first == "GET" ? .trickle(Array("$1\r\nx\r\n".utf8), every: .seconds(30)) : .bytes(Array("+OK\r\n".utf8)) }
        defer { node.close() }
        let threads = ProcessResources.threads(named: "kv-redis")
        let sockets = ProcessResources.sockets
        let store = try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: "redis://\(node.endpoint)?commandTimeout=20s&poolSize=1"))
        let call = Task { try await store.get("k") }
        try await Task.sleep(for: .milliseconds(300))
        await store.shutdown()
        let took = await Self.released(toThreads: threads, sockets: sockets + 1)  // the fake node's own socket to us
        print("a connection thread blocked on a silent peer ended \(took.map { "\($0)" } ?? "more than 5 s") after shutdown")
        #expect(took != nil)
        await #expect(throws: KVError.self) { try await call.value }
    }
}
