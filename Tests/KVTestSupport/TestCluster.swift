import Foundation
import KVCore

/// A Redis Cluster of a test's own: 3 masters and 3 replicas on free loopback ports, created with
/// `redis-cli --cluster create` and ready (every node `cluster_state:ok`, replicas linked) within 30 s.
public final class TestCluster: Sendable {
    public let servers: [TestRedisServer]
    /// With `tls`: each node's TLS port (beside its plaintext one), the cluster bus and replication over TLS too.
    public let tlsPorts: [Int]

    public var url: String { "cluster://" + servers.map(\.endpoint).joined(separator: ",") }

    /// The URL of the TLS ports, trusting the test CA.
    public func tlsURL(_ tls: TestTLS) -> String {
        "cluster://" + tlsPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",") + "?tls=true&\(tls.trustQuery)"
    }

    public static func launch(tls: TestTLS? = nil) async throws -> TestCluster {
        var servers: [TestRedisServer] = []
        var tlsPorts: [Int] = []
        for _ in 0..<6 {
            var arguments = [
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
                "--repl-diskless-sync-delay", "0",
            ]
            if let tls {
                let port = try TestRedisServer.freePort()
                tlsPorts.append(port)
                arguments += tls.serverArguments(port: port) + ["--tls-cluster", "yes", "--tls-replication", "yes"]
            }
            servers.append(try await TestRedisServer.launch(arguments))
        }
        let cluster = TestCluster(servers: servers, tlsPorts: tlsPorts)
        let endpoints = servers.map(\.endpoint)
        _ = try await TestRedisServer.redisCli(["--cluster", "create"] + endpoints + ["--cluster-replicas", "1", "--cluster-yes"])
        guard try await cluster.waitUntilReady() else { throw KVError(.unavailable, "test cluster did not become ready within 30 s") }
        return cluster
    }

    private init(servers: [TestRedisServer], tlsPorts: [Int]) {
        self.servers = servers
        self.tlsPorts = tlsPorts
    }

    /// Waits (bounded) until every live node reports `cluster_state:ok` and every replica's link is up.
    public func waitUntilReady(within limit: Duration = .seconds(30)) async throws -> Bool {
        await eventually(within: limit) {
            for server in self.servers {
                guard let info = try? await server.cli("CLUSTER", "INFO"), info.contains("cluster_state:ok") else { return false }
                guard let replication = try? await server.cli("INFO", "replication") else { return false }
                if replication.contains("role:slave") && !replication.contains("master_link_status:up") { return false }
            }
            return true
        }
    }

    /// The server that is master of `slot` now, from `CLUSTER NODES` as a live node sees it.
    public func master(of slot: Int) async throws -> TestRedisServer {
        for asked in servers {
            guard let nodes = try? await asked.cli("CLUSTER", "NODES"), !nodes.isEmpty else { continue }
            for line in nodes.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 9, fields[2].contains("master"), !fields[2].contains("fail") else { continue }
                let owns = fields.dropFirst(8).contains { range in
                    let bounds = range.split(separator: "-").compactMap { Int($0) }
                    return bounds.count == 2 ? (bounds[0]...bounds[1]).contains(slot) : bounds.first == slot
                }
                let address = fields[1].split(separator: "@")[0]
                if owns, let server = servers.first(where: { $0.endpoint == address }) { return server }
            }
        }
        throw KVError(.unavailable, "no master owns slot \(slot)")
    }

    /// The node id of a server.
    public func id(of server: TestRedisServer) async throws -> String {
        try await server.cli("CLUSTER", "MYID").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
