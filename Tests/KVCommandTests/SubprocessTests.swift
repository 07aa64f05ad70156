import Foundation
import KVTestSupport
import Testing

/// The tests' process runner (posix_spawn, not Foundation's `Process`): exit codes, pipes and the time limit.
@Suite struct SubprocessTests {
    @Test func passesInputOutputAndExitCode() async throws {
        let echoed = try await offPool { try Subprocess.run(URL(fileURLWithPath: "/bin/cat"), [], stdin: Array("hello".utf8)) }
        #expect(echoed.status == 0 && echoed.text == "hello" && !echoed.timedOut)
        let failed = try await offPool { try Subprocess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo oops >&2; exit 3"]) }
        #expect(failed.status == 3 && failed.stderr == "oops\n")
        let environment = try await offPool { try Subprocess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo $KV_PROBE"], environment: ["KV_PROBE": "set"]) }
        #expect(environment.text == "set\n")
    }

    @Test func endsAHungChildAtItsTimeLimit() async throws {
        let started = ContinuousClock.now
        let hung = try await offPool { try Subprocess.run(URL(fileURLWithPath: "/bin/sleep"), ["30"], timeout: 0.3) }
        #expect(hung.timedOut && hung.status == SIGTERM)
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
