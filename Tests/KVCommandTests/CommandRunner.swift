import Foundation
import KVTestSupport

/// Runs the built `kv` binary (or an example) and captures its output and exit code.
enum CommandRunner {
    /// A product built beside the test bundle (`kv`, or an example).
    static func executable(_ name: String) -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        // Some runners live inside a bundle directory; look upward.
        var directory = beside.deletingLastPathComponent()
        for _ in 0..<4 {
            directory = directory.deletingLastPathComponent()
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return beside
    }

    /// Runs `program arguments…` with `stdin`, without `KV_STORE`/`KV_CONFIG` unless given, bounded by
    /// `timeout`, on a thread of its own (never blocking Swift's cooperative pool).
    static func run(
        _ arguments: [String], program: String = "kv", stdin: [UInt8] = [], environment: [String: String] = [:], timeout: TimeInterval = 60
    ) async throws -> Subprocess.Result {
        var env = ProcessInfo.processInfo.environment
        env["KV_STORE"] = nil
        env["KV_CONFIG"] = nil
        for (name, value) in environment { env[name] = value }
        let result = try await offPool { [env] in
            try Subprocess.run(executable(program), arguments, stdin: stdin, environment: env, timeout: timeout)
        }
        if result.timedOut {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(program) \(arguments) timed out after \(timeout) s"])
        }
        return result
    }
}
