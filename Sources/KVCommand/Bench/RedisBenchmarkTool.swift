import Foundation

/// Runs `redis-benchmark` (when installed) against a node and returns requests per second by test name.
enum RedisBenchmarkTool {
    static var isInstalled: Bool { path != nil }

    static var path: String? {
        ["/usr/bin/redis-benchmark", "/usr/local/bin/redis-benchmark"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `redis-benchmark -c clients -P pipeline -d 100 -n count -t tests --csv`; nil when it is missing or fails.
    /// It waits on a thread of its own, not on Swift's cooperative pool.
    static func run(host: String, port: Int, clients: Int, pipeline: Int, count: Int, tests: String, cluster: Bool = false) async -> [String: Double]? {
        await onOwnThread { runBlocking(host: host, port: port, clients: clients, pipeline: pipeline, count: count, tests: tests, cluster: cluster) }
    }

    private static func runBlocking(host: String, port: Int, clients: Int, pipeline: Int, count: Int, tests: String, cluster: Bool = false) -> [String: Double]? {
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        var arguments = ["-h", host, "-p", "\(port)", "-c", "\(clients)", "-P", "\(pipeline)", "-d", "100", "-n", "\(count)", "-t", tests, "--csv"]
        if cluster { arguments.append("--cluster") }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        var result: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            if fields.count >= 2, let rps = Double(fields[1]) { result[fields[0]] = rps }
        }
        return result.isEmpty ? nil : result
    }
}

/// Runs blocking work (a child process, a raw-C benchmark loop) on a thread of its own and awaits the result,
/// so Swift's cooperative pool is never blocked.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
