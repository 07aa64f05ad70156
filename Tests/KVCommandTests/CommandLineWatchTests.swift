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
}
