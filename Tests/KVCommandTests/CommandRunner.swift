import Foundation

/// Runs the built `kv` binary and captures its output and exit code.
struct CommandRunner {
    struct Result: Sendable {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

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

    /// Runs `kv arguments…` with `stdin`, bounded by `timeout`, on a thread of its own (never blocking
    /// Swift's cooperative pool).
    static func run(
        _ arguments: [String], program: String = "kv", stdin: [UInt8] = [], environment: [String: String] = [:], timeout: TimeInterval = 60
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Swift.Result {
                    try runBlocking(arguments, program: program, stdin: stdin, environment: environment, timeout: timeout)
                })
            }.start()
        }
    }

    static func runBlocking(_ arguments: [String], program: String, stdin: [UInt8], environment: [String: String], timeout: TimeInterval) throws -> Result {
        let process = Process()
        process.executableURL = executable(program)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["KV_STORE"] = nil
        env["KV_CONFIG"] = nil
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "kv \(arguments) timed out"])
        }
        return Result(status: process.terminationStatus, stdout: Array(outData), stderr: String(decoding: errData, as: UTF8.self))
    }
}
