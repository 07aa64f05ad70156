public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with a hard time limit: after `timeout` it is sent SIGTERM, and SIGKILL
/// 2 s later, so a hung child can never hang a test. Output and errors are read concurrently, so neither
/// pipe can fill up and stall the child. Blocking: call it from a thread of its own (``offPool(_:)``).
///
/// It spawns with `posix_spawn` rather than Foundation's `Process`: the `Process.run()` of Swift 6.3.1's
/// Foundation on Linux over-reads a directory entry while listing `/proc/self/fd` and crashes now and then
/// (swift-corelibs-foundation PR #5472), which ended a fresh-clone test run here.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: String
        public var timedOut: Bool
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(
        _ executable: URL, _ arguments: [String], stdin: [UInt8] = [], environment: [String: String]? = nil, timeout: TimeInterval = 30
    ) throws -> Result {
        let input = try makePipe(), output = try makePipe(), errors = try makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)

        let path = executable.path
        let pid: pid_t
        do {
            pid = try spawn(path, arguments, environment: environment, actions: &actions)
        } catch {
            for fd in [input.read, output.write, errors.write, input.write, output.read, errors.read] { close(fd) }
            throw error
        }
        for fd in [input.read, output.write, errors.write] { close(fd) }

        let exited = Locked(false)
        let timedOut = Locked(false)
        let child = pid
        let watchdog = DispatchWorkItem {
            guard !exited.value else { return }
            timedOut.withLock { $0 = true }
            kill(child, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) { if !exited.value { kill(child, SIGKILL) } }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)

        let errorData = Locked([UInt8]())
        let errorsRead = DispatchSemaphore(value: 0)
        Thread {
            errorData.withLock { $0 = readToEnd(errors.read) }
            errorsRead.signal()
        }.start()
        stdin.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(input.write, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 { if errno == EINTR { continue } else { break } }
                offset += written
            }
        }
        close(input.write)
        let outputData = readToEnd(output.read)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        exited.withLock { $0 = true }
        watchdog.cancel()
        // The pipe closes when the child has exited (and anything it started that kept the pipe, as for stdout).
        errorsRead.wait()
        close(output.read)
        close(errors.read)
        // Exited: its exit code; killed: the signal's number (as Foundation's `terminationStatus` gives them).
        let signal = status & 0x7f
        return Result(
            status: signal == 0 ? (status >> 8) & 0xff : signal, stdout: outputData,
            stderr: String(decoding: errorData.value, as: UTF8.self), timedOut: timedOut.value)
    }

    /// Starts `path` in the background with its standard streams on `/dev/null` (a server, which logs to a file
    /// of its own); ``ChildProcess/stop()`` ends it.
    public static func start(_ path: String, _ arguments: [String]) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        return ChildProcess(pid: try spawn(path, arguments, environment: nil, actions: &actions))
    }

    /// `posix_spawn` of `path`, the child starting with no signal blocked and every signal at its default,
    /// whatever the calling thread has.
    private static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String]?, actions: inout posix_spawn_file_actions_t
    ) throws -> pid_t {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw SpawnError(description: "cannot run \(path): no such executable (is it installed? scripts/install-deps.sh installs the test servers)")
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in env { free(pointer) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, env)
        guard spawned == 0 else { throw SpawnError(description: "cannot run \(path): \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// A pipe whose ends are closed on exec (the child gets its own copies through `dup2`).
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private static func readToEnd(_ fd: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                data += buffer[..<count]
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }
}

/// A program started in the background by ``Subprocess/start(_:_:)``: signalled while it runs, killed and
/// reaped by ``stop()`` (also when released).
public final class ChildProcess: Sendable {
    public let pid: pid_t
    private let reaped = Locked(false)

    init(pid: pid_t) {
        self.pid = pid
    }

    deinit { stop() }

    /// Sends `signal`, unless the child has been reaped (its pid may belong to another process by then).
    public func signal(_ signal: Int32) {
        reaped.withLock { reaped in if !reaped { _ = kill(pid, signal) } }
    }

    /// Resumes the child if it is paused, kills it (SIGKILL) and waits for it to exit. Idempotent.
    public func stop() {
        reaped.withLock { reaped in
            guard !reaped else { return }
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            reaped = true
        }
    }
}
