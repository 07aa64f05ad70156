import Foundation

/// Runs a program to completion with a hard time limit: after `timeout` it is sent SIGTERM, and SIGKILL
/// 2 s later, so a hung child can never hang a test. Output and errors are read concurrently, so neither
/// pipe can fill up and stall the child. Blocking: call it from a thread of its own (``offPool(_:)``).
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: String
        public var timedOut: Bool
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    public static func run(
        _ executable: URL, _ arguments: [String], stdin: [UInt8] = [], environment: [String: String]? = nil, timeout: TimeInterval = 30
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()

        let timedOut = Locked(false)
        let watchdog = DispatchWorkItem {
            guard process.isRunning else { return }
            timedOut.withLock { $0 = true }
            process.terminate()
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)

        let errorData = Locked(Data())
        let errorReader = Thread { errorData.withLock { $0 = errors.fileHandleForReading.readDataToEndOfFile() } }
        errorReader.start()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        while errorReader.isExecuting { usleep(1_000) }
        return Result(
            status: process.terminationStatus, stdout: Array(outputData),
            stderr: String(decoding: errorData.value, as: UTF8.self), timedOut: timedOut.value)
    }
}
