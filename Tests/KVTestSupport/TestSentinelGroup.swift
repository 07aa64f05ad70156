import Foundation
import KVCore

/// A master, two replicas and three sentinels on loopback (`down-after-milliseconds 1000`), ready when every
/// sentinel sees both replicas. Everything is killed when the value is released.
public final class TestSentinelGroup: Sendable {
    public let master: TestRedisServer
    public let replicas: [TestRedisServer]
    public let sentinels: [TestSentinel]
    public static let masterName = "kvmaster"

    public var url: String { "sentinel://" + sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") + "/\(Self.masterName)" }

    /// With `sentinelPassword`, the sentinels require it (`requirepass`, and `sentinel sentinel-pass` between them).
    public static func launch(sentinelPassword: String? = nil) async throws -> TestSentinelGroup {
        let master = try await TestRedisServer.launch()
        var replicas: [TestRedisServer] = []
        for _ in 0..<2 { replicas.append(try await TestRedisServer.launch(["--replicaof", "127.0.0.1", "\(master.port)"])) }
        var sentinels: [TestSentinel] = []
        for _ in 0..<3 { sentinels.append(try await offPool { try TestSentinel(masterPort: master.port, password: sentinelPassword) }) }
        let group = TestSentinelGroup(master: master, replicas: replicas, sentinels: sentinels)
        let ready = await eventually(within: .seconds(20)) {
            for sentinel in sentinels {
                // redis-cli prints one field per line: count the replicas' and the other sentinels' "ip" fields.
                guard let replicas = try? await sentinel.cli("SENTINEL", "replicas", Self.masterName),
                      let known = try? await sentinel.cli("SENTINEL", "sentinels", Self.masterName),
                      replicas.split(separator: "\n").filter({ $0 == "ip" }).count >= 2,
                      known.split(separator: "\n").filter({ $0 == "ip" }).count >= 2
                else { return false }
            }
            for replica in replicas {
                guard let info = try? await replica.cli("INFO", "replication"), info.contains("master_link_status:up") else { return false }
            }
            return true
        }
        guard ready else { throw KVError(.unavailable, "the sentinels did not see the replicas and each other within 20 s") }
        return group
    }

    private init(master: TestRedisServer, replicas: [TestRedisServer], sentinels: [TestSentinel]) {
        self.master = master
        self.replicas = replicas
        self.sentinels = sentinels
    }

    /// The master the sentinels name now.
    public func namedMaster() async throws -> Int? {
        for sentinel in sentinels {
            guard let text = try? await sentinel.cli("SENTINEL", "get-master-addr-by-name", Self.masterName) else { continue }
            let lines = text.split(separator: "\n")
            if lines.count == 2, let port = Int(lines[1]) { return port }
        }
        return nil
    }

    /// Every server of the group.
    public var servers: [TestRedisServer] { [master] + replicas }
}

/// One `redis-server --sentinel` with a config file of its own (sentinels rewrite it).
public final class TestSentinel: Sendable {
    public let port: Int
    private let directory: URL
    private let process: ChildProcess

    let password: String?

    init(masterPort: Int, password: String? = nil) throws {
        self.password = password
        port = try TestRedisServer.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kv-sentinel-\(port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("sentinel.conf")
        try """
            port \(port)
            bind 127.0.0.1
            dir \(directory.path)
            logfile \(directory.appendingPathComponent("sentinel.log").path)
            sentinel monitor \(TestSentinelGroup.masterName) 127.0.0.1 \(masterPort) 2
            sentinel down-after-milliseconds \(TestSentinelGroup.masterName) 1000
            sentinel failover-timeout \(TestSentinelGroup.masterName) 5000
            sentinel parallel-syncs \(TestSentinelGroup.masterName) 2
            \(password.map { "requirepass \($0)\nsentinel sentinel-pass \($0)\n" } ?? "")
            """.write(to: config, atomically: true, encoding: .utf8)
        process = try Subprocess.start(try TestRedisServer.which("redis-server"), [config.path, "--sentinel"])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? TestRedisServer.run("/usr/bin/redis-cli", ["-p", "\(port)"] + (password.map { ["-a", $0, "--no-auth-warning"] } ?? []) + ["PING"]))?.contains("PONG") == true { return }
            usleep(20_000)
        }
        throw KVError(.connectionFailed, "sentinel on port \(port) did not answer within 10 s")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Freezes the sentinel (SIGSTOP) until ``resume()``.
    public func pause() { process.signal(SIGSTOP) }
    public func resume() { process.signal(SIGCONT) }

    public func stop() { process.stop() }

    @discardableResult
    public func cli(_ arguments: String...) async throws -> String {
        let command = ["-p", "\(port)"] + (password.map { ["-a", $0, "--no-auth-warning"] } ?? []) + arguments
        return try await offPool { try TestRedisServer.run("/usr/bin/redis-cli", command) }
    }
}
