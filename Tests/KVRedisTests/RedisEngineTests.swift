import Foundation
import KVCore
import KVRedisConfiguration
import KVRedis
import KVRedisCore
import KVTestSupport
import Synchronization
import Testing

/// The engine's retry policy and deadlines: a table without a server, then real servers and a fake one.
@Suite struct RedisEngineTests {
    static func store(port: Int, commandTimeout: Duration = .milliseconds(500), poolSize: Int = 2) -> KVRedisStore {
        KVRedisStore(options: .init(
            endpoint: KVEndpoint(host: "127.0.0.1", port: port),
            node: KVRedisNodeConfiguration(
                connectTimeout: .milliseconds(500), commandTimeout: commandTimeout, reconnectDelay: .milliseconds(10), maxReconnectDelay: .milliseconds(100),
                poolSize: poolSize)))
    }

    @Test func commandSafetyReadsTheCommandAndItsOptions() {
        #expect(RedisCommandSafety(RedisCommand("GET", "k")) == .read)
        #expect(RedisCommandSafety(RedisCommand("MGET", "a", "b")) == .read)
        #expect(RedisCommandSafety(RedisCommand("SET", "k", "v")) == .idempotentWrite)
        #expect(RedisCommandSafety(RedisCommand("SET", "k", "v", "PX", "100")) == .idempotentWrite)
        #expect(RedisCommandSafety(RedisCommand("SET", "k", "v", "NX")) == .unsafe)
        #expect(RedisCommandSafety(RedisCommand("SET", "k", "v", "PX", "5", "XX")) == .unsafe)
        #expect(RedisCommandSafety(RedisCommand("SET", "NX", "XX")) == .idempotentWrite, "a key or value named NX is not an option")
        #expect(RedisCommandSafety(RedisCommand("UNLINK", "k")) == .unsafe)
        #expect(RedisCommandSafety(RedisCommand("INCR", "k")) == .unsafe)
        #expect(RedisCommandSafety([RedisCommand("GET", "k"), RedisCommand("DEL", "k")]) == .unsafe, "a pipeline is as safe as its least safe command")
    }

    @Test func commandsAreEncodedInRESP() {
        var buffer: [UInt8] = []
        RedisCommand("SET", key: "k", [], Array(repeating: 120, count: 10), Array(repeating: 121, count: 109)).encode(into: &buffer)
        let expected = "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n$10\r\n" + String(repeating: "x", count: 10) + "\r\n$109\r\n" + String(repeating: "y", count: 109) + "\r\n"
        #expect(String(decoding: buffer, as: UTF8.self) == expected)
        // Every length's digits, across the powers of ten.
        for length in [9, 10, 11, 99, 100, 999, 1000, 65_535, 100_000, 1_048_577] {
            var encoded: [UInt8] = []
            RedisCommand("SET", key: "k", Array(repeating: 0x7A, count: length)).encode(into: &encoded)
            let header = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$\(length)\r\n"
            #expect(encoded.starts(with: Array(header.utf8)), "length \(length)")
            #expect(encoded.count == header.utf8.count + length + 2)
        }
    }

    @Test func retryPolicyTable() {
        let broken = KVError(.connectionFailed, "the server closed the connection", node: "n")
        let late = KVError(.timeout, "no reply", node: "n")
        for safety in [RedisCommandSafety.read, .idempotentWrite, .unsafe] {
            #expect(RedisRetryPolicy.decide(RedisFailure(broken, mayHaveRun: false), safety: safety) == .retry, "never sent: always retried")
            if case .surface(let error) = RedisRetryPolicy.decide(RedisFailure(late, mayHaveRun: true), safety: safety) {
                #expect(error.code == .timeout, "a call past its deadline is not retried")
            } else {
                Issue.record("a timeout was retried")
            }
            for code in [KVError.Code.authenticationFailed, .cancelled, .shutdown, .serverError] {
                #expect(RedisRetryPolicy.decide(RedisFailure(KVError(code, "x"), mayHaveRun: true), safety: safety) == .surface(KVError(code, "x")))
            }
        }
        #expect(RedisRetryPolicy.decide(RedisFailure(broken, mayHaveRun: true), safety: .read) == .retry)
        #expect(RedisRetryPolicy.decide(RedisFailure(broken, mayHaveRun: true), safety: .idempotentWrite) == .retry)
        guard case .surface(let unknown) = RedisRetryPolicy.decide(RedisFailure(broken, mayHaveRun: true), safety: .unsafe) else {
            Issue.record("a conditional write that may have run was retried")
            return
        }
        #expect(unknown.code == .outcomeUnknown)
        #expect(unknown.node == "n")
    }

    /// 64 callers on a frozen server with a 1 s timeout: each call, queueing included, ends by its deadline.
    @Test func pausedServerEndsEveryCallWithinItsDeadline() async throws {
        let server = try await TestRedisServer.launch()
        let store = Self.store(port: server.port, commandTimeout: .seconds(2))
        try await withShutdown(store) { () async throws in
            try await store.set("k", [1])
            server.pause()
            defer { server.resume() }
            let outcomes = await withTaskGroup(of: (Duration, KVError?).self) { group in
                for task in 0..<64 {
                    group.addTask {
                        // Staggered, so later calls queue behind pipelines already waiting on the frozen server.
                        try? await Task.sleep(for: .milliseconds(task * 5))
                        let started = ContinuousClock.now
                        do throws(KVError) { _ = try await store.get("k"); return (ContinuousClock.now - started, nil) } catch {
                            return (ContinuousClock.now - started, error)
                        }
                    }
                }
                return await group.reduce(into: [(Duration, KVError?)]()) { $0.append($1) }
            }
            let slowest = outcomes.map(\.0).max() ?? .zero
            print("paused server, 64 callers, 2 s command timeout: slowest call \(slowest)")
            #expect(outcomes.allSatisfy { $0.1?.code == .timeout }, "\(outcomes.compactMap(\.1).prefix(2))")
            // A caller queued behind a pipeline that waits would take two timeouts (4 s) or more.
            #expect(slowest < .milliseconds(3500), "the slowest call took \(slowest) with a 2 s command timeout")
        }
    }

    /// A reply dripped one byte every 300 ms cannot hold a call past its 1 s deadline.
    @Test func tricklingReplyCannotExtendTheDeadline() async throws {
        let node = try FakeRedisNode { command in
            command.first == "GET" ? .trickle(Array("$5\r\nhello\r\n".utf8), every: .milliseconds(300)) : .bytes(Array("+OK\r\n".utf8))
        }
        defer { node.close() }
        let store = Self.store(port: node.port, commandTimeout: .seconds(1), poolSize: 1)
        try await withShutdown(store) { () async throws in
            let started = ContinuousClock.now
            await #expect(throws: KVError.self) { _ = try await store.get("k") }
            let took = ContinuousClock.now - started
            print("reply trickled one byte every 300 ms, 1 s command timeout: the call ended after \(took)")
            // Unbounded, the 11 bytes would take 3.3 s.
            #expect(took < .milliseconds(2500), "a trickling reply held the call for \(took) with a 1 s command timeout")
            do throws(KVError) { _ = try await store.get("k") } catch { #expect(error.code == .timeout) }
        }
    }

    /// After the server's idle timeout closed every pooled connection, the next calls all succeed.
    @Test func connectionsClosedByTheServerWhileIdleCostNothing() async throws {
        let server = try await TestRedisServer.launch()
        let store = Self.store(port: server.port, poolSize: 2)
        try await withShutdown(store) { () async throws in
            _ = try await server.cli("CONFIG", "SET", "timeout", "1")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 { group.addTask { try await store.set("idle:\(task)", [UInt8(task)]) } }
                try await group.waitForAll()
            }
            try await Task.sleep(for: .seconds(3))
            for round in 0..<3 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<8 {
                        group.addTask {
                            // A conditional write first: it is never re-sent, so a stale connection would fail it.
                            let created = try await store.set("idle:\(task):\(round)", [1], options: KVSetOptions(condition: .onlyIfAbsent))
                            let value = try await store.get("idle:\(task)")
                            #expect(value == [UInt8(task)])
                            #expect(created)
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    /// Connections killed every 50 ms under conditional writes and deletes: answers are right or typed errors.
    @Test func connectionKillsNeverGiveAWrongAnswer() async throws {
        let server = try await TestRedisServer.launch()
        let store = Self.store(port: server.port, poolSize: 2)
        try await withShutdown(store) { () async throws in
            let killer = RedisPool(
                configuration: RedisConnectionConfiguration(endpoint: KVEndpoint(host: "127.0.0.1", port: server.port)), size: 1, logger: KVLogging.disabled)
            defer { killer.close() }
            let stop = Atomic<Bool>(false)
            async let kills: Int = {
                var killed = 0
                for _ in 0..<400 where !stop.load(ordering: .relaxed) {
                    killed += Int((try? await killer.send(RedisCommand("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")))?.integer ?? 0)
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return killed
            }()
            let report = await ConditionalWriteDrill(store: store, prefix: "drill").run(tasks: 16, for: .seconds(3))
            stop.store(true, ordering: .relaxed)
            let killed = await kills
            #expect(report.wrong == 0, "\(report)")
            #expect(report.right > 500, "\(report)")
            #expect(killed > 0, "connections were killed")
            print("connection kills on redis://: \(killed) connections killed; \(report)")
            let codes = Set(report.errors.keys)
            #expect(codes.isSubset(of: ["outcome unknown", "timeout", "connection failed"]), "\(report)")
        }
    }

    @Test func scriptsAreKnownByTheirSHA1AndRecoverFromNOSCRIPT() async throws {
        let server = try await TestRedisServer.launch()
        let store = Self.store(port: server.port)
        try await withShutdown(store) { () async throws in
            for script in [RedisAtomicCommands.compareAndSetScript, RedisAtomicCommands.incrementWithTTLScript] {
                let loaded = try await store.pool.send(RedisCommand("SCRIPT", "LOAD", script.body)).orThrow(node: "redis").text
                #expect(loaded == script.sha1, "the SHA-1 the engine sends is the server's")
            }
            _ = try await store.pool.send(RedisCommand("SCRIPT", "FLUSH"))
            #expect(try await store.compareAndSet("k", expected: nil, new: [1]), "EVAL after NOSCRIPT")
            #expect(try await store.increment("n", by: 2, ttlIfCreated: .seconds(10)) == 2)
            let cached = try await store.pool.send(RedisCommand("SCRIPT", "EXISTS", RedisAtomicCommands.compareAndSetScript.sha1)).array
            #expect(cached == [.integer(1)], "the server caches it for the next EVALSHA")
            #expect(RedisCommandSafety(RedisCommand("EVALSHA", "x", "1", "k")) == .unsafe)
            #expect(RedisCommandSafety(RedisCommand("INCRBY", "k", "1")) == .unsafe)
        }
    }
}
