import Foundation
import KVCore
import KVRedis
import KVRedisCore
import KVRing
import KVTestSupport
import Testing

/// TLS on real servers (Debian's redis-server speaks it): each server has a TLS port beside its plaintext one.
@Suite(.serialized) struct RedisTLSTests {
    /// The test CA and certificates, made once; without `openssl` every test fails with the reason, instead
    /// of a trap ending the test process.
    static var tls: TestTLS {
        get throws { try madeTLS.get() }
    }
    private static let madeTLS = Result { try TestTLS() }

    /// A server whose TLS port serves `certificate` (the trusted server certificate by default).
    static func server(requireClientCertificates: Bool = false, certificate: String? = nil, key: String? = nil) async throws -> (TestRedisServer, Int) {
        let port = try TestRedisServer.freePort()
        let server = try await TestRedisServer.launch(tls.serverArguments(port: port, requireClientCertificates: requireClientCertificates, certificate: certificate, key: key))
        return (server, port)
    }

    static func open(_ url: String) async throws(KVError) -> any KVStore {
        try await KVBackendRegistry([KVRedisTLSBackend(), KVRedisBackend(), KVRingBackend()]).open(try KVConfiguration(url: url))
    }

    /// The error of the first call on `url`, which must fail.
    static func failure(_ url: String) async throws -> KVError {
        let store = try await open(url + "&connectTimeout=1s&commandTimeout=1s")
        return try await withShutdown(store) { () async throws -> KVError in
            do throws(KVError) {
                _ = try await store.get("k")
            } catch {
                return error
            }
            Issue.record("the call succeeded")
            return KVError(.unavailable, "")
        }
    }

    /// The near cache over TLS: its invalidation connection and tracked session speak TLS too; another client's
    /// writes reach it, and a killed invalidation connection, killed data connections and a restart each flush it.
    @Test func theNearCacheWorksOverTLSThroughItsFaults() async throws {
        let (server, port) = try await Self.server()
        defer { server.stop() }
        let store = try await Self.open("rediss://127.0.0.1:\(port)?\(Self.tls.trustQuery)&nearCache=on&commandTimeout=1s&connectTimeout=500ms") as! KVRedisStore
        let writer = NearCacheTests.plain(server)
        try await withShutdown(store) { () async throws in
            try await withShutdown(writer) { () async throws in
                #expect(await eventually { store.client.nearCache?.status == .armed }, "subscribed over TLS")
                try await writer.set("k", [1])
                #expect(try await store.get("k") == [1])
                let hits = NearCacheTests.counter(store, "nearCacheHits")
                #expect(try await store.get("k") == [1])
                #expect(NearCacheTests.counter(store, "nearCacheHits") == hits + 1, "served from memory")
                try await writer.set("k", [2])
                #expect(await NearCacheTests.converges(store, "k", to: [2]))
                for kind in ["pubsub", "normal"] {
                    let flushes = NearCacheTests.counter(store, "nearCacheFlushes")
                    _ = try await server.cli("CLIENT", "KILL", "TYPE", kind)
                    #expect(await eventually { NearCacheTests.counter(store, "nearCacheFlushes") > flushes }, "CLIENT KILL TYPE \(kind) flushed")
                    #expect(await eventually { store.client.nearCache?.status == .armed })
                    try await writer.set("k", [3])
                    #expect(await NearCacheTests.converges(store, "k", to: [3]))
                    try await writer.set("k", [2])
                    #expect(await NearCacheTests.converges(store, "k", to: [2]))
                }
                await server.kill()
                try await server.restart()
                #expect(await NearCacheTests.converges(store, "k", to: nil), "the restarted server is empty")
            }
        }
    }

    @Test func binaryAndLargeValuesRoundTripAndRedisCliReadsThem() async throws {
        let (server, port) = try await Self.server()
        let store = try await Self.open("rediss://127.0.0.1:\(port)/3?\(Self.tls.trustQuery)")
        try await withShutdown(store) { () async throws in
            let binary = (0...255).map(UInt8.init)
            let large = (0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try await store.set("binary", binary)
            try await store.set("large", large)
            #expect(try await store.get("binary") == binary)
            #expect(try await store.get("large") == large)
            try await store.set("text", Array("from swift".utf8))
            let cli = try ["--tls", "--cacert", Self.tls.caFile, "-h", "127.0.0.1", "-p", "\(port)", "-n", "3"]
            #expect(try await TestRedisServer.redisCli(cli + ["GET", "text"]).trimmingCharacters(in: .newlines) == "from swift")
            _ = try await TestRedisServer.redisCli(cli + ["SET", "from-cli", "hello"])
            #expect(try await store.get("from-cli") == Array("hello".utf8))
            defer { server.stop() }
            #expect(try await server.cli("-n", "3", "DBSIZE").trimmingCharacters(in: .newlines) == "4", "the plaintext port sees the same data")
        }
    }

    @Test func anUntrustedCertificateIsRefused() async throws {
        let (server, port) = try await Self.server(certificate: Self.tls.untrustedCertificate, key: Self.tls.untrustedKey)
        defer { server.stop() }
        let error = try await Self.failure("rediss://127.0.0.1:\(port)?\(Self.tls.trustQuery)")
        #expect(error.code == .tlsFailed && error.message.contains("not trusted"), "\(error)")
        #expect(error.node == "127.0.0.1:\(port)")
        // The same server with verification off: the connection works, encrypted but unauthenticated.
        let logs = CapturedLogs()
        let insecure = try await KVBackendRegistry([KVRedisTLSBackend()]).open(try KVConfiguration(url: "rediss://127.0.0.1:\(port)?insecure=true"), logger: logs.logger())
        try await withShutdown(insecure) { () async throws in
            #expect(try await insecure.set("k", [1]))
            #expect(logs.messages.filter { $0.contains("insecure=true") }.count == 1, "logged once: \(logs.messages)")
        }
    }

    @Test func aNameMismatchIsRefused() async throws {
        let (server, port) = try await Self.server()
        defer { server.stop() }
        let error = try await Self.failure("rediss://127.0.0.1:\(port)?\(Self.tls.trustQuery)&serverName=cache.example.com")
        #expect(error.code == .tlsFailed && error.message.contains("does not name cache.example.com"), "\(error)")
        let byName = try await Self.open("rediss://127.0.0.1:\(port)?\(Self.tls.trustQuery)&serverName=localhost")
        try await withShutdown(byName) { () async throws in
            #expect(try await byName.set("k", [1]), "the certificate names localhost")
        }
    }

    @Test func anExpiredCertificateIsRefused() async throws {
        try await Task.sleep(for: .seconds(1))  // valid for no time at all: expired by now
        let (server, port) = try await Self.server(certificate: Self.tls.expiredCertificate, key: Self.tls.serverKey)
        defer { server.stop() }
        let error = try await Self.failure("rediss://127.0.0.1:\(port)?\(Self.tls.trustQuery)")
        #expect(error.code == .tlsFailed && error.message.contains("expired"), "\(error)")
    }

    @Test func mutualTLS() async throws {
        let (server, port) = try await Self.server(requireClientCertificates: true)
        defer { server.stop() }
        let error = try await Self.failure("rediss://127.0.0.1:\(port)?\(Self.tls.trustQuery)")
        #expect(error.code == .tlsFailed && error.message.contains("requires a client certificate"), "\(error)")
        let store = try await Self.open("rediss://127.0.0.1:\(port)?\(Self.tls.trustQuery)&certFile=\(Self.tls.clientCertificate)&keyFile=\(Self.tls.clientKey)")
        try await withShutdown(store) { () async throws in
            #expect(try await store.set("k", [1]))
            #expect(try await store.get("k") == [1])
            #expect(!error.message.contains("BEGIN"), "no key material in errors")
        }
    }

    /// A client certificate from a CA the server does not trust is `tlsFailed` every time, also when the server
    /// resets the connection before its alert is read (before: `connectionFailed` in 5 of 200 attempts).
    @Test func aClientCertificateFromAnotherCAIsATLSFailureEveryTime() async throws {
        let (server, port) = try await Self.server(requireClientCertificates: true)
        defer { server.stop() }
        var codes: [String: Int] = [:]
        for _ in 0..<100 {
            let error = try await Self.failure("rediss://127.0.0.1:\(port)?\(Self.tls.trustQuery)&certFile=\(Self.tls.untrustedCertificate)&keyFile=\(Self.tls.untrustedKey)")
            codes["\(error.code)", default: 0] += 1
        }
        print("a client certificate from another CA, 100 attempts: \(codes)")
        #expect(codes == ["\(KVError.Code.tlsFailed)": 100], "\(codes)")
    }

    @Test func aPlaintextPortIsNotTLS() async throws {
        let (server, _) = try await Self.server()
        defer { server.stop() }
        let error = try await Self.failure("rediss://127.0.0.1:\(server.port)?\(Self.tls.trustQuery)")
        #expect(error.code == .timeout && error.message.contains("TLS port"), "\(error)")
    }

    @Test func badTLSOptionsAreConfigurationErrors() async throws {
        for url in ["redis://127.0.0.1:1?caFile=/x", "rediss://127.0.0.1:1?certFile=/x", "rediss://127.0.0.1:1?serverName=a%20b",
                    "rediss://127.0.0.1:1?tls=maybe", "rediss://127.0.0.1:1?caFile=/nonexistent/ca.pem"] {
            await #expect { _ = try await Self.open(url) } throws: { ($0 as? KVError)?.code == .invalidConfiguration }
        }
    }

    @Test func aRingOverTLS() async throws {
        var shards: [String] = []
        var servers: [TestRedisServer] = []
        for index in 1...3 {
            let (server, port) = try await Self.server()
            servers.append(server)
            shards.append("s\(index)=127.0.0.1:\(port)")
        }
        let store = try await Self.open("ring://\(shards.joined(separator: ","))?tls=true&\(Self.tls.trustQuery)")
        try await withShutdown(store) { () async throws in
            let entries = (0..<300).map { KVEntry("tls-ring:\($0)", Array("\($0)".utf8)) }
            try await store.batchSet(entries)
            #expect(try await store.batchGet(entries.map(\.key)).count == 300)
            var counts: [Int] = []
            for server in servers { counts.append(Int(try await server.cli("DBSIZE").trimmingCharacters(in: .newlines)) ?? 0) }
            #expect(counts.reduce(0, +) == 300 && counts.allSatisfy { $0 > 0 }, "every shard got keys over TLS: \(counts)")
        }
    }
}

/// A peer that passes the server's TLS handshake one byte per 100 ms: the connect timeout and each call's
/// deadline bound the whole handshake, and callers queued behind the connect get their own deadlines.
@Suite(.serialized) struct RedisTLSDeadlineTests {
    @Test func aTrickledHandshakeCannotStretchACallOrTheCallsQueuedBehindIt() async throws {
        let (server, port) = try await RedisTLSTests.server()
        defer { server.stop() }
        let proxy = try TricklingProxy(to: port)
        defer { proxy.stop() }
        let store = try await RedisTLSTests.open("rediss://127.0.0.1:\(proxy.port)?\(RedisTLSTests.tls.trustQuery)&connectTimeout=1s&commandTimeout=1s&poolSize=1")
        let started = ContinuousClock.now
        // Three callers on the one connection, the later ones queued behind its connect.
        let outcomes = await withTaskGroup(of: (KVError?, Duration).self) { group in
            for index in 0..<3 {
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(300 * index))
                    let start = ContinuousClock.now
                    do throws(KVError) {
                        _ = try await store.get("k")
                        return (nil, ContinuousClock.now - start)
                    } catch {
                        return (error, ContinuousClock.now - start)
                    }
                }
            }
            var outcomes: [(KVError?, Duration)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        await store.shutdown()
        let elapsed = ContinuousClock.now - started
        print("trickled TLS handshake: every call ended after \(elapsed); each: \(outcomes.map { "\($0.1) \($0.0.map { "\($0)" } ?? "ok")" })")
        // Without a bound on the whole handshake one call was held for 273 s; the bound here is loose on
        // purpose (behaviour, not timing): each call ends within a few times its one-second deadline.
        for (error, took) in outcomes {
            #expect(error?.code == .timeout || error?.code == .connectionFailed, "\(String(describing: error))")
            #expect(took < .seconds(5), "a call took \(took)")
        }
    }
}
