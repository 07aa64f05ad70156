import Foundation
import KVTestSupport
import Testing

/// No password reaches any output: every `kv` command and every example runs with each way of giving a password,
/// against a server of its own that requires it, and the whole of stdout and stderr is searched for the secret.
@Suite(.serialized) struct SecretsTests {
    /// The password of the ACL user `leaky`: `/` and `?` test the URL parser, its three parts are searched for.
    static let secret = "Pw7kq/Zr9tx?Mv3hb"
    static let encoded = "Pw7kq%2FZr9tx%3FMv3hb"
    static let fragments = ["Pw7kq", "Zr9tx", "Mv3hb", "Se%ZZ", "ZZcret"]

    /// One way of naming the store: arguments for `kv`, and the environment for the examples.
    struct Form: Sendable, CustomStringConvertible {
        var description: String
        var arguments: [String]
        var environment: [String: String]
        var configFile: String
    }

    static func forms(port: Int, directory: URL) throws -> [Form] {
        func url(_ name: String, _ text: String) throws -> Form {
            let file = directory.appendingPathComponent("\(name).json")
            try "{\"store\": \"\(text)\"}".write(to: file, atomically: true, encoding: .utf8)
            return Form(description: name, arguments: ["--store", text], environment: ["KV_STORE": text], configFile: file.path)
        }
        func file(_ name: String, _ text: String) throws -> Form {
            let file = directory.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return Form(description: name, arguments: ["--config", file.path], environment: ["KV_CONFIG": file.path], configFile: file.path)
        }
        let host = "127.0.0.1:\(port)"
        return [
            try url("userinfo", "redis://leaky:\(encoded)@\(host)/1"),
            try url("userinfo-raw", "redis://leaky:\(secret)@\(host)"),
            try url("query", "redis://\(host)?user=leaky&password=\(encoded)"),
            try url("ring-query", "ring://s1=\(host)?user=leaky&password=\(encoded)"),
            try url("wrong-password", "redis://leaky:\(encoded)x@\(host)"),
            try url("bad-encoding", "redis://leaky:Se%ZZcret@\(host)"),
            try file("config.yaml", "store: redis://\(host)\noptions:\n  user: leaky\n  password: \"\(secret)\"\n"),
            try file("config.json", "{\"store\": \"redis://\(host)\", \"options\": {\"user\": \"leaky\", \"password\": \"\(secret)\"}}"),
        ]
    }

    static let commands: [[String]] = [
        ["set", "k", "v"], ["get", "k"], ["del", "k"], ["list"], ["list", "--json"], ["mset", "a", "1"], ["mget", "a", "--json"],
        ["health"], ["health", "--json"], ["locate", "k"], ["locate", "k", "--json"], ["demo"],
        ["bench", "--count", "300"], ["bench", "--count", "300", "--json"],
        ["soak", "--duration", "0.2", "--tasks", "2", "--keys", "10"], ["soak", "--duration", "0.2", "--tasks", "2", "--keys", "10", "--json"],
        ["rebalance", "--json"], ["get", "k", "--verbose"],
    ]

    static func leaks(_ result: Subprocess.Result) -> [String] {
        let output = result.text + result.stderr
        return fragments.filter { output.contains($0) }
    }

    @Test func noCommandOrExamplePrintsThePassword() async throws {
        let server = try await TestRedisServer.launch(["--user", "leaky", "on", ">\(Self.secret)", "~*", "&*", "+@all"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kv-secrets-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var runs = 0, succeeded = 0
        for form in try Self.forms(port: server.port, directory: directory) {
            for command in Self.commands {
                let result = try await CommandRunner.run(command + form.arguments, timeout: 60)
                runs += 1
                if result.status == 0 { succeeded += 1 }
                #expect(Self.leaks(result).isEmpty, "kv \(command.joined(separator: " ")) with \(form) printed the secret:\n\(result.text)\n\(result.stderr)")
            }
            let examples: [(String, [String])] = [
                ("SessionStore", []), ("BatchPipeline", ["--count", "100"]), ("HealthMonitor", ["--reports", "1", "--interval", "0.1"]),
                ("BackendSwap", []), ("BackendSwap", [form.configFile]),
            ]
            for (example, arguments) in examples {
                let result = try await CommandRunner.run(arguments, program: example, environment: form.environment, timeout: 60)
                runs += 1
                if result.status == 0 { succeeded += 1 }
                #expect(Self.leaks(result).isEmpty, "\(example) with \(form) printed the secret:\n\(result.text)\n\(result.stderr)")
            }
        }
        // The forms with the right password really reached the server, so their output had the chance to leak.
        #expect(succeeded >= runs / 2, "\(succeeded) of \(runs) runs succeeded")
    }
}
