import Foundation
import KVCore
import KVRedisConfiguration
import KVRedisCore
import KVTestSupport
import Logging
import Testing

/// The connection layer against real servers of the tests' own, with real faults.
@Suite struct RedisConnectionTests {
    static func pool(_ server: TestRedisServer, size: Int = 1, commandTimeout: Duration = .milliseconds(500), configure: (inout KVRedisNodeConfiguration) -> Void = { _ in }) throws -> RedisPool {
        var settings = KVRedisNodeConfiguration(
            connectTimeout: .seconds(1), commandTimeout: commandTimeout, reconnectDelay: .milliseconds(20), maxReconnectDelay: .milliseconds(200))
        configure(&settings)
        let configuration = RedisConnectionConfiguration(endpoint: try KVEndpoint(parsing: server.endpoint), settings: settings)
        return RedisPool(configuration: configuration, size: size, logger: Logger(label: "test"))
    }

    @Test func concurrentCommandsArePipelined() async throws {
        let server = try await TestRedisServer.launch()
        let pool = try Self.pool(server)
        defer { pool.close() }
        _ = try await pool.send(RedisCommand("SET", "k", "v"))
        let connection = pool.connections[0]
        let before = connection.statistics
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<64 {
                group.addTask {
                    for i in 0..<50 {
                        let reply = try await pool.send(RedisCommand("ECHO", "\(task)-\(i)"))
                        #expect(reply.text == "\(task)-\(i)", "each caller gets its own reply")
                    }
                }
            }
            try await group.waitForAll()
        }
        let after = connection.statistics
        let commands = after.commands - before.commands
        let pipelines = after.pipelines - before.pipelines
        #expect(commands == 64 * 50)
        #expect(pipelines < commands / 4, "\(commands) commands went out in \(pipelines) pipelines")
    }

    @Test func pausedServerTimesOutWithoutBlockingOtherTasksThenRecoversWithCorrectReplies() async throws {
        let server = try await TestRedisServer.launch()
        // A 2 s timeout: blocking the cooperative pool while waiting would delay the ticker by about that much,
        // far beyond what scheduling on a busy machine does.
        let pool = try Self.pool(server, size: 2, commandTimeout: .seconds(2))
        defer { pool.close() }
        _ = try await pool.send(RedisCommand("PING"))
        server.pause()
        var resumed = false
        defer { if !resumed { server.resume() } }

        // While 32 commands wait on the frozen server, a ticker on the cooperative pool must stay on time.
        async let ticker: Duration = {
            var worst = Duration.zero
            for _ in 0..<40 {
                let before = ContinuousClock.now
                try? await Task.sleep(for: .milliseconds(10))
                worst = max(worst, ContinuousClock.now - before - .milliseconds(10))
            }
            return worst
        }()
        let started = ContinuousClock.now
        let errors = await withTaskGroup(of: KVError?.self) { group in
            for i in 0..<32 {
                group.addTask {
                    do throws(KVError) { _ = try await pool.send(RedisCommand("SET", "paused:\(i)", "x")); return nil } catch { return error }
                }
            }
            return await group.reduce(into: [KVError?]()) { $0.append($1) }
        }
        let waited = ContinuousClock.now - started
        let lateness = await ticker
        #expect(errors.allSatisfy { $0?.code == .timeout }, "\(errors.compactMap { $0 }.map { $0.description }.prefix(3))")
        #expect(errors.compactMap { $0 }.allSatisfy { $0.node == server.endpoint })
        print("paused server, 32 commands with a 2 s timeout: they failed after \(waited); a ticker on the cooperative pool was late by \(lateness) at most")
        #expect(waited < .seconds(6), "commands failed within about the command timeout (not when the server came back), took \(waited)")
        #expect(lateness < .seconds(1), "other tasks were delayed by \(lateness): the waits blocked the cooperative pool")

        server.resume()
        resumed = true
        // Every task reads back exactly what it wrote: no reply reaches the wrong caller.
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<32 {
                group.addTask {
                    var wrong = 0
                    for i in 0..<20 {
                        let value = "task\(task)-v\(i)"
                        _ = try await pool.send(RedisCommand("SET", "own:\(task)", value))
                        if try await pool.send(RedisCommand("GET", "own:\(task)")).text != value { wrong += 1 }
                    }
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test func cancellingAWaitingTaskReturnsPromptlyAndKeepsTheConnectionConsistent() async throws {
        let server = try await TestRedisServer.launch()
        let pool = try Self.pool(server, commandTimeout: .seconds(5))
        defer { pool.close() }
        _ = try await pool.send(RedisCommand("SET", "a", "1"))
        server.pause()
        let waiting = Task { try await pool.send(RedisCommand("GET", "a")) }
        try await Task.sleep(for: .milliseconds(100))
        let cancelled = ContinuousClock.now
        waiting.cancel()
        let result = await waiting.result
        let took = ContinuousClock.now - cancelled
        server.resume()
        #expect(took < .milliseconds(2500), "cancellation took \(took), as if it waited for the 5 s command timeout")
        #expect(throws: KVError.self) { try result.get() }
        if case .failure(let error as KVError) = result { #expect(error.code == .cancelled) }
        // The dropped reply must not reach the next caller.
        _ = try await pool.send(RedisCommand("SET", "b", "2"))
        #expect(try await pool.send(RedisCommand("GET", "b")).text == "2")
        #expect(try await pool.send(RedisCommand("GET", "a")).text == "1")
    }

    @Test func stoppedServerGivesClearErrorsAndServiceComesBackAfterRestart() async throws {
        let server = try await TestRedisServer.launch()
        let pool = try Self.pool(server, size: 2)
        defer { pool.close() }
        _ = try await pool.send(RedisCommand("SET", "k", "before"))
        await server.kill()
        do {
            _ = try await pool.send(RedisCommand("GET", "k"))
            Issue.record("a command to a stopped server succeeded")
        } catch {
            #expect(error.code == .connectionFailed || error.code == .timeout)
            #expect(error.node == server.endpoint)
        }
        try await server.restart()
        let recovered = await eventually(within: .seconds(5)) {
            (try? await pool.send(RedisCommand("SET", "k", "after")))?.text == "OK"
        }
        #expect(recovered, "commands succeed again after the restart, with no user action")
        #expect(try await pool.send(RedisCommand("GET", "k")).text == "after")
    }

    @Test func closedPortFailsWithinTheConnectTimeout() async throws {
        let port = try TestRedisServer.freePort()
        let pool = RedisPool(
            configuration: RedisConnectionConfiguration(endpoint: KVEndpoint(host: "127.0.0.1", port: port), settings: KVRedisNodeConfiguration(connectTimeout: .seconds(5))),
            size: 1, logger: Logger(label: "test"))
        defer { pool.close() }
        let started = ContinuousClock.now
        do {
            _ = try await pool.send(RedisCommand("PING"))
            Issue.record("connected to a closed port")
        } catch {
            #expect(error.code == .connectionFailed)
            #expect(error.node == "127.0.0.1:\(port)")
            #expect(error.message.contains("refused"), "\(error.message)")
        }
        #expect(ContinuousClock.now - started < .milliseconds(2500), "a refused connect fails at once, not at the 5 s connect timeout")
    }

    @Test func credentialsDatabaseAndClientName() async throws {
        let server = try await TestRedisServer.launch(["--requirepass", "s3cret"])
        try await server.cli("-a", "s3cret", "--no-auth-warning", "ACL", "SETUSER", "app", "on", ">apppass", "~*", "+@all")

        let wrong = try Self.pool(server) { $0.password = "nope" }
        defer { wrong.close() }
        do {
            _ = try await wrong.send(RedisCommand("PING"))
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error.code == .authenticationFailed)
            #expect(error.message.contains("WRONGPASS") || error.message.contains("invalid"), "\(error.message)")
        }

        let none = try Self.pool(server)
        defer { none.close() }
        let reply = try await none.send(RedisCommand("GET", "x"))
        #expect(reply.errorMessage?.hasPrefix("NOAUTH") == true)
        #expect(throws: KVError.self) { try reply.orThrow(node: server.endpoint) }
        do { _ = try reply.orThrow(node: server.endpoint) } catch { #expect(error.code == .authenticationFailed, "a missing password reads as such") }

        let acl = try Self.pool(server) {
            $0.user = "app"
            $0.password = "apppass"
            $0.database = 3
            $0.clientName = "kv-test-client"
        }
        defer { acl.close() }
        _ = try await acl.send(RedisCommand("SET", "in-db-3", "yes"))
        #expect(try await acl.send(RedisCommand("CLIENT", "GETNAME")).text == "kv-test-client")
        #expect(try await acl.send(RedisCommand("ACL", "WHOAMI")).text == "app")
        #expect(try await server.cli("-a", "s3cret", "--no-auth-warning", "-n", "3", "GET", "in-db-3").contains("yes"))
        #expect(try await server.cli("-a", "s3cret", "--no-auth-warning", "-n", "0", "EXISTS", "in-db-3").contains("0"))
    }

    @Test func idleConnectionIsCheckedBeforeReuse() async throws {
        let server = try await TestRedisServer.launch()
        let pool = try Self.pool(server) {
            $0.idleCheckInterval = .milliseconds(50)
            $0.clientName = "idle-check"
        }
        defer { pool.close() }
        _ = try await pool.send(RedisCommand("SET", "k", "v"))
        // The server drops the idle connection behind the client's back.
        try await server.cli("CLIENT", "KILL", "SKIPME", "yes")
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await pool.send(RedisCommand("GET", "k")).text == "v", "the stale connection was replaced before use")
    }

    @Test func affinityRunsTheTaskOnTheConnectionThread() async throws {
        let server = try await TestRedisServer.launch()
        let pool = try Self.pool(server, size: 3)
        defer { pool.close() }
        #expect(!pool.connections.contains { $0.isCurrentThread })
        let before = pool.connections.map(\.statistics.commands)
        let inlineBefore = pool.connections.map(\.statistics.inline).reduce(0, +)
        let onConnectionThread = try await pool.withAffinity { () async throws(KVError) -> [Bool] in
            var checks: [Bool] = []
            for i in 0..<5 {
                _ = try await pool.send(RedisCommand("SET", "aff:\(i)", "v"))
                checks.append(pool.connections.contains { $0.isCurrentThread })
            }
            return checks
        }
        #expect(onConnectionThread == [true, true, true, true, true])
        let sent = zip(pool.connections.map(\.statistics.commands), before).map { $0 - $1 }
        #expect(sent.sorted() == [0, 0, 5], "every command went to the affine connection: \(sent)")
        #expect(pool.connections.map(\.statistics.inline).reduce(0, +) - inlineBefore == 5, "each ran inline, with no queue in between")
        // Outside the affinity, commands go through the queue again.
        _ = try await pool.send(RedisCommand("GET", "aff:0"))
        #expect(pool.connections.map(\.statistics.inline).reduce(0, +) - inlineBefore == 5)
    }

    @Test func affineCallsEndWithinTheirDeadlineAndTheConnectionRecovers() async throws {
        let server = try await TestRedisServer.launch()
        let pool = try Self.pool(server, size: 1, commandTimeout: .milliseconds(300))
        defer { pool.close() }
        _ = try await pool.send(RedisCommand("SET", "k", "v"))
        server.pause()
        var resumed = false
        defer { if !resumed { server.resume() } }
        let started = ContinuousClock.now
        let paused = await pool.withAffinity { () async -> Result<RedisReply, KVError> in
            do throws(KVError) { return .success(try await pool.send(RedisCommand("GET", "k"))) } catch { return .failure(error) }
        }
        let took = ContinuousClock.now - started
        #expect(took < .seconds(3), "an inline call to a paused server took \(took) with a 300 ms command timeout")
        switch paused {
        case .success: Issue.record("a call to a paused server succeeded")
        case .failure(let error): #expect(error.code == .timeout)
        }
        server.resume()
        resumed = true
        // The timed-out connection was discarded: the late GET reply never reaches the next calls.
        let texts = try await pool.withAffinity { () async throws(KVError) -> [String?] in
            var texts: [String?] = []
            for i in 0..<5 {
                _ = try await pool.send(RedisCommand("SET", "a\(i)", "\(i)"))
                texts.append(try await pool.send(RedisCommand("GET", "a\(i)")).text)
            }
            return texts
        }
        #expect(texts == ["0", "1", "2", "3", "4"])
        // A cancelled affine task stops at its next call, before sending it.
        let cancelled = await Task {
            await pool.withAffinity { () async -> KVError.Code? in
                withUnsafeCurrentTask { $0?.cancel() }
                do throws(KVError) { _ = try await pool.send(RedisCommand("SET", "after-cancel", "x")); return nil } catch { return error.code }
            }
        }.value
        #expect(cancelled == .cancelled)
        #expect(try await pool.send(RedisCommand("EXISTS", "after-cancel")).integer == 0)
    }
}
