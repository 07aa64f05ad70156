import Foundation
import KVTestSupport
import Testing

/// `kv watch`: events written out as they arrive (into a file here), and Ctrl-C ending it with exit 0.
@Suite struct CommandLineWatchTests {
    @Test(arguments: [false, true]) func watchWritesEachEventAtOnceAndSIGINTEndsItWithExit0(_ json: Bool) async throws {
        let kv = CommandRunner.executable("kv").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kv-watch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        // Before the interrupt, the file already holds the first event: nothing waits in a buffer.
        let script = """
            "$1" watch --store memory:// \(json ? "--json " : "")session: > "$2" & pid=$!
            for i in $(seq 1 50); do [ -s "$2" ] && break; sleep 0.1; done
            before=$(cat "$2"); kill -INT $pid; wait $pid; status=$?
            printf '%s\\n%s\\n' "$before" "$status"
            """
        let result = try await offPool { try Subprocess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script, "sh", kv, output], timeout: 30) }
        let lines = result.text.split(separator: "\n").map(String.init)
        #expect(lines == [json ? #"{"event":"ready"}"# : "ready", "0"], "the first event before the interrupt, then exit 0: \(result.text) \(result.stderr)")
    }

    /// On a real Redis server: another client's write is a `changed` line, written out while the watch runs.
    @Test func watchOnRedisPrintsAnotherClientsChange() async throws {
        let server = try await TestRedisServer.launch()
        defer { server.stop() }
        let kv = CommandRunner.executable("kv").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kv-watch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let script = """
            "$1" watch --store "$3" --json cli: > "$2" & pid=$!
            for i in $(seq 1 50); do [ -s "$2" ] && break; sleep 0.1; done
            "$1" --store "$3" set cli:k v > /dev/null; "$1" --store "$3" set other v > /dev/null
            for i in $(seq 1 50); do grep -q changed "$2" && break; sleep 0.1; done
            before=$(cat "$2"); kill -INT $pid; wait $pid; status=$?
            printf '%s\\n%s\\n' "$before" "$status"
            """
        let result = try await offPool { try Subprocess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script, "sh", kv, output, server.url], timeout: 30) }
        let lines = result.text.split(separator: "\n").map(String.init)
        #expect(lines == [#"{"event":"ready"}"#, #"{"event":"changed","key":"cli:k"}"#, "0"], "\(result.text) \(result.stderr)")
    }
}
