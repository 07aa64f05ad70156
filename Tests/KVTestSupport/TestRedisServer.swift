import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KVCore
import Synchronization

/// A `redis-server` process of a test's own, on a free loopback port, which the test may stop, pause
/// (SIGSTOP), resume and restart. It is always killed when the value is released or `stop()` is called.
public final class TestRedisServer: @unchecked Sendable {
    // @unchecked: `process` is only replaced under `lock`, and every method takes the lock.
    public let port: Int
    public let extraArguments: [String]
    private let directory: URL
    private var process: ChildProcess?
    private let lock = NSLock()

    public var endpoint: String { "127.0.0.1:\(port)" }
    public var url: String { "redis://127.0.0.1:\(port)" }

    /// Starts a server and waits until it answers (off the cooperative pool).
    public static func launch(_ extraArguments: [String] = []) async throws -> TestRedisServer {
        try await offPool { try TestRedisServer(extraArguments: extraArguments) }
    }

    /// Blocks while the server starts; from async code use ``launch(_:)``.
    public init(extraArguments: [String] = []) throws {
        port = try Self.freePort()
        self.extraArguments = extraArguments
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kv-test-redis-\(port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try startBlocking()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts the server again, on the same port, and waits until it answers, for at most 10 s.
    public func restart() async throws {
        try await offPool { try self.startBlocking() }
    }

    /// Kills the server and waits for it to exit (off the cooperative pool).
    public func kill() async {
        _ = try? await offPool { self.stop() }
    }

    private func startBlocking() throws {
        try lock.withLock {
            guard process == nil else { return }
            process = try Subprocess.start(try Self.which("redis-server"), [
                "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path,
            ] + extraArguments)
        }
        try waitUntilReady()
    }

    /// Kills the server (SIGKILL after resuming it) and waits for it to exit.
    public func stop() {
        lock.withLock {
            process?.stop()
            process = nil
        }
    }

    /// Freezes the server with SIGSTOP: it keeps its connections but answers nothing.
    public func pause() { signal(SIGSTOP) }

    /// Resumes a paused server with SIGCONT.
    public func resume() { signal(SIGCONT) }

    private func signal(_ signal: Int32) {
        lock.withLock { process?.signal(signal) }
    }

    /// Runs `redis-cli` against the server (off the cooperative pool) and returns its output.
    @discardableResult
    public func cli(_ arguments: String...) async throws -> String {
        let command = ["-h", "127.0.0.1", "-p", "\(port)"] + arguments
        return try await offPool { try Self.run(try Self.which("redis-cli"), command) }
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? Self.run(Self.which("redis-cli"), ["-h", "127.0.0.1", "-p", "\(port)", "PING"]))?.contains("PONG") == true { return }
            if let output = try? Self.run(Self.which("redis-cli"), ["-h", "127.0.0.1", "-p", "\(port)", "PING"]), output.contains("NOAUTH") { return }
            usleep(20_000)
        }
        throw KVError(.connectionFailed, "test redis-server on port \(port) did not answer within 10 s")
    }

    // MARK: Helpers

    /// A loopback port that is free now, with its cluster bus port (+10000) free too. Both lie below Linux's
    /// ephemeral range (32768–60999): a client reconnecting to a stopped server's port in that range can
    /// connect to itself (TCP simultaneous open) and hold the port, so the server could not restart on it.
    public static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 10000...22000)
            if isFree(port) && isFree(port + 10000) { return port }
        }
        throw KVError(.connectionFailed, "no free loopback port found")
    }

    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Runs `redis-cli` with any arguments (off the cooperative pool) and returns its output.
    public static func redisCli(_ arguments: [String]) async throws -> String {
        try await offPool { try run(try which("redis-cli"), arguments) }
    }

    static func which(_ name: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw KVError(.connectionFailed, "\(name) is not installed (apt-get install redis-server redis-tools)")
    }

    /// Runs a program to completion, bounded to 30 s, and returns its standard output.
    public static func run(_ path: String, _ arguments: [String]) throws -> String {
        try Subprocess.run(URL(fileURLWithPath: path), arguments, timeout: 30).text
    }
}

/// Addresses of the shared test servers started by `scripts/test-servers.sh` (via `make test`),
/// or servers of the test process's own when run without it, stopped when the process exits.
public enum TestServers {
    /// The single shared Redis (`KV_TEST_REDIS`).
    ///
    /// - Throws: when no server is configured and none can be started (`redis-server` is not installed): the
    ///   test fails, saying so.
    public static var redisURL: String {
        get throws {
            if let url = ProcessInfo.processInfo.environment["KV_TEST_REDIS"], !url.isEmpty { return url }
            return "redis://" + (try fallback(.redis)[0])
        }
    }

    /// ``redisURL`` for a test's arguments, which cannot throw: without a server it is a URL of the scheme
    /// `redis-server-is-missing`, so each test that opens it fails saying so.
    public static var redisArgument: String {
        (try? redisURL) ?? "redis-server-is-missing://install-redis-server"
    }

    /// ``ringURL`` for a test's arguments, as ``redisArgument``.
    public static var ringArgument: String {
        (try? ringURL) ?? "redis-server-is-missing://install-redis-server"
    }

    /// Three shared ring shards (`KV_TEST_RING`), named shard1…shard3.
    public static var ringURL: String {
        get throws {
            if let url = ProcessInfo.processInfo.environment["KV_TEST_RING"], !url.isEmpty { return url }
            return "ring://" + (try fallback(.ring)).enumerated().map { "shard\($0.offset + 1)=\($0.element)" }.joined(separator: ",")
        }
    }

    private enum Group: Int { case redis = 1, ring = 3 }

    /// The servers started for each group, made once.
    private static let started = Mutex<[Group: [TestRedisServer]]>([:])

    private static func fallback(_ group: Group) throws -> [String] {
        try started.withLock { started in
            if let servers = started[group] { return servers.map(\.endpoint) }
            let servers = try (0..<group.rawValue).map { _ in try TestRedisServer() }
            if started.isEmpty { atexit { TestServers.started.withLock { $0.values.joined().forEach { $0.stop() } } } }
            started[group] = servers
            return servers.map(\.endpoint)
        }
    }
}

/// Waits until `condition` holds, checking every 20 ms, for at most `limit`. Returns whether it held.
public func eventually(within limit: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    repeat {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    } while ContinuousClock.now < deadline
    return try await condition()
}
