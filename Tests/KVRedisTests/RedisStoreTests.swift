import Foundation
import KVCore
import KVRedis
import KVTestSupport
import Testing
import KVRedisCore

/// Backend-specific checks beyond the conformance suite, on the shared server (database 2).
@Suite(.serialized) struct RedisStoreTests {
    static func open(_ query: String = "") async throws -> KVRedisStore {
        try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: TestServers.redisURL + "/2" + query)) as! KVRedisStore
    }

    @Test func a64MiBValueRoundTrips() async throws {
        let store = try await Self.open()
        try await withShutdown(store) { () async throws in
            var value = [UInt8](repeating: 0, count: 64 * 1024 * 1024)
            for i in stride(from: 0, to: value.count, by: 997) { value[i] = UInt8(truncatingIfNeeded: i) }
            value += [0, 13, 10]
            try await store.set("big\u{0}\r\nvalue", value)
            #expect(try await store.get("big\u{0}\r\nvalue") == value)
            #expect(try await store.delete("big\u{0}\r\nvalue"))
        }
    }

    @Test func batchesOf10000AndOf200000KeysInBoundedChunks() async throws {
        let store = try await Self.open("?batchChunkSize=500")
        try await withShutdown(store) { () async throws in
            for count in [10_000, 200_000] {
                let entries = (0..<count).map { KVEntry("batch:\(count):\($0)\u{0}", Array("v\($0)\r\n".utf8)) }
                try await store.batchSet(entries)
                let read = try await store.batchGet(entries.map(\.key))
                #expect(read.count == count)
                #expect(entries.allSatisfy { read[$0.key] == $0.value })
                #expect(try await store.batchDelete(entries.map(\.key)) == count)
            }
        }
    }

    @Test func serverErrorsNameTheKeyTheNodeAndTheMessage() async throws {
        let store = try await Self.open()
        try await withShutdown(store) { () async throws in
            _ = try await store.pool.send(.init("DEL", "a-list"))
            _ = try await store.pool.send(.init("LPUSH", "a-list", "x"))
            do throws(KVError) {
                _ = try await store.get("a-list")
                Issue.record("GET on a list succeeded")
            } catch {
                #expect(error.code == .serverError)
                #expect(error.key == "a-list")
                #expect(error.node == store.node)
                #expect(error.message.contains("WRONGTYPE"))
            }
            _ = try await store.pool.send(.init("DEL", "a-list"))
        }
    }

    @Test func unknownOptionsAndBadURLsFailAtOnce() async throws {
        let registry = KVBackendRegistry([KVRedisBackend()])
        for url in ["redis://127.0.0.1:6379?poolsize=2", "redis://a:1,b:2", "redis://127.0.0.1:6379/x", "redis://127.0.0.1:6379?commandTimeout=soon"] {
            do {
                _ = try await registry.open(try KVConfiguration(url: url))
                Issue.record("opened \(url)")
            } catch {
                #expect(error.code == .invalidConfiguration, "\(url): \(error)")
            }
        }
    }

    @Test func healthReportsTheNodeWithLatencyAndVersion() async throws {
        let store = try await Self.open()
        try await withShutdown(store) { () async throws in
            let report = try await store.health()
            #expect(report.status == .healthy)
            #expect(report.nodes.count == 1)
            #expect(report.nodes[0].latencyMilliseconds != nil)
            #expect(report.nodes[0].details["redis_version"] != nil)
        }
    }

    @Test func healthOfADeadServerIsUnhealthyWithTheCause() async throws {
        let port = try TestRedisServer.freePort()
        let store = try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: "redis://127.0.0.1:\(port)?connectTimeout=200ms"))
        try await withShutdown(store) { () async throws in
            let report = try await store.health()
            #expect(report.status == .unhealthy)
            #expect(report.nodes[0].lastError?.contains("refused") == true, "\(report.nodes[0].lastError ?? "")")
        }
    }
}

/// The ACL/password server started by `scripts/test-servers.sh` (skipped when run without it).
@Suite struct RedisAuthenticatedServerTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KV_TEST_REDIS_AUTH"] != nil))
    func aclUserFromTheURL() async throws {
        let url = ProcessInfo.processInfo.environment["KV_TEST_REDIS_AUTH"]!
        let store = try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: url))
        try await withShutdown(store) { () async throws in
            try await store.set("acl-key", [1, 2])
            #expect(try await store.get("acl-key") == [1, 2])
            let wrong = try await KVBackendRegistry([KVRedisBackend()]).open(try KVConfiguration(url: url.replacingOccurrences(of: "kvpass", with: "bad")))
            try await withShutdown(wrong) { () async throws in
                await #expect(throws: KVError.self) { try await wrong.get("acl-key") }
                do throws(KVError) { _ = try await wrong.get("acl-key") } catch { #expect(error.code == .authenticationFailed) }
            }
        }
    }
}
