#if Redis
import Foundation
import KV
import KVRedisConfiguration
import KVRedisCore

/// Runs `redis-benchmark` (when installed) against a node and returns requests per second by test name.
enum RedisBenchmarkTool {
    static var isInstalled: Bool { path != nil }

    static var path: String? {
        ["/usr/bin/redis-benchmark", "/usr/local/bin/redis-benchmark"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The prefix of every key the `redis-benchmark` runs write; ``cleanUp(_:)`` removes them afterwards.
    static let keyPrefix = "kvbench:rb:"

    /// `redis-benchmark -c clients -P pipeline -n count -r count --csv` once per test (`SET`, `GET`, `INCR`, or
    /// `CAS`: `EVALSHA` of the store's compare-and-set script), each as a custom command on keys under
    /// ``keyPrefix`` with 100-byte values, instead of `-t`, whose `key:__rand_int__` and `counter:__rand_int__`
    /// would stay in the user's database. Requests per second by test name; nil when it is missing or fails.
    /// It waits on a thread of its own, not on Swift's cooperative pool.
    static func run(_ connection: RedisConnectionConfiguration, clients: Int, pipeline: Int, count: Int, tests: [String], cluster: Bool = false) async -> [String: Double]? {
        var result: [String: Double] = [:]
        for test in tests {
            let rps = await onOwnThread { runBlocking(connection, clients: clients, pipeline: pipeline, count: count, test: test, cluster: cluster) }
            guard let rps else { return nil }
            result[test] = rps
        }
        return result
    }

    /// Deletes every key the runs wrote, through the store under test.
    static func cleanUp(_ store: any KVStore) async throws(KVError) {
        let keys = try await store.list(prefix: keyPrefix).collect()
        for start in stride(from: 0, to: keys.count, by: 10_000) {
            _ = try await store.batchDelete(Array(keys[start..<min(start + 10_000, keys.count)]))
        }
    }

    /// How redis-benchmark reaches the node: TCP or a Unix socket, with TLS when the store uses it.
    static func address(_ connection: RedisConnectionConfiguration) -> [String] {
        var arguments = connection.unixSocketPath.map { ["-s", $0] } ?? ["-h", connection.endpoint.host, "-p", "\(connection.endpoint.port)"]
        if let tls = connection.settings.tls {
            arguments.append("--tls")
            if let caFile = tls.caFile { arguments += ["--cacert", caFile] }
            if let certFile = tls.certFile, let keyFile = tls.keyFile { arguments += ["--cert", certFile, "--key", keyFile] }
            if let serverName = tls.serverName { arguments += ["--sni", serverName] }
            if tls.insecure { arguments.append("--insecure") }
        }
        if connection.settings.database != 0 { arguments += ["--dbnum", "\(connection.settings.database)"] }
        return arguments
    }

    private static func runBlocking(_ connection: RedisConnectionConfiguration, clients: Int, pipeline: Int, count: Int, test: String, cluster: Bool) -> Double? {
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        // In cluster mode redis-benchmark replaces {tag} with a hash tag of the node it sends to.
        let key = keyPrefix + (cluster ? "{tag}:" : "") + "__rand_int__"
        let value = String(repeating: "x", count: 100)
        let command = switch test {
        case "SET": ["SET", key, value]
        // The script must be cached on the server: the Swift rows run it first.
        case "CAS": ["EVALSHA", RedisAtomicCommands.compareAndSetScript.sha1, "1", key, "1", value, "1", value, "", "0"]
        // Counters of their own: INCR fails on the SET runs' values.
        case "INCR": ["INCR", keyPrefix + "counter:" + (cluster ? "{tag}:" : "") + "__rand_int__"]
        default: [test, key]
        }
        var arguments = address(connection) + ["-c", "\(clients)", "-P", "\(pipeline)", "-n", "\(count)", "-r", "\(count)", "--csv"]
        if cluster { arguments.append("--cluster") }
        process.arguments = arguments + command
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            // A run too short to time reports "inf": no reference then, rather than a value JSON cannot hold.
            if fields.count >= 2, let rps = Double(fields[1]), rps.isFinite, rps > 0 { return rps }
        }
        return nil
    }
}

/// Runs blocking work (a child process, a raw-C benchmark loop) on a thread of its own and awaits the result,
/// so Swift's cooperative pool is never blocked.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
#endif
