import Foundation
@testable import KVCluster
import KVCore
import KVRedisCore
import KVTestSupport
import Testing

/// RESP encodings for crafted replies.
enum RESP {
    static func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }
    static func integer(_ value: Int64) -> String { ":\(value)\r\n" }
    static func array(_ items: [String]) -> String { "*\(items.count)\r\n" + items.joined() }
    static func error(_ text: String) -> String { "-\(text)\r\n" }
    /// A `CLUSTER SLOTS` reply: each range with its master.
    static func slots(_ ranges: [(Int64, Int64, Int64)]) -> String {
        array(ranges.map { start, end, port in array([integer(start), integer(end), array([bulk("127.0.0.1"), integer(port)])]) })
    }
}

/// Broken or hostile cluster nodes: every value they send is checked, nothing traps, hangs or grows without bound.
@Suite struct ClusterHostileNodeTests {
    @Test(arguments: [
        "MOVED 99999 127.0.0.1:7000", "MOVED -1 127.0.0.1:7000", "ASK 16384 127.0.0.1:7000", "MOVED 5 127.0.0.1:70000",
        "MOVED 5 127.0.0.1:0", "MOVED 5 127.0.0.1", "ASK x 127.0.0.1:7000", "MOVED 5 127.0.0.1:-3", "MOVED 5",
    ])
    func malformedRedirectsAreRefused(_ message: String) {
        guard case .malformed = ClusterRedirect(message, currentHost: "127.0.0.1") else {
            Issue.record("\(message) was read as \(String(describing: ClusterRedirect(message, currentHost: "127.0.0.1")))")
            return
        }
    }

    @Test func validRedirectsAreRead() {
        #expect(ClusterRedirect("MOVED 3999 127.0.0.1:6381", currentHost: "h") == .moved(slot: 3999, to: KVEndpoint(host: "127.0.0.1", port: 6381)))
        #expect(ClusterRedirect("ASK 0 :6381", currentHost: "h") == .ask(slot: 0, to: KVEndpoint(host: "h", port: 6381)))
        #expect(ClusterRedirect("TRYAGAIN later", currentHost: "h") == .retry("TRYAGAIN"))
        #expect(ClusterRedirect("ERR wrong", currentHost: "h") == nil)
    }

    /// A `CLUSTER SLOTS` reply value: each range with its master.
    static func slots(_ ranges: [(Int64, Int64, Int64)]) -> RedisReply {
        .array(ranges.map { start, end, port in .array([.integer(start), .integer(end), .array([.string(Array("127.0.0.1".utf8)), .integer(port)])]) })
    }

    @Test func malformedSlotMapsAreTypedErrors() throws {
        func parse(_ reply: RedisReply) throws(KVError) -> KVClusterTopology {
            try KVClusterTopology.parse(reply, askedHost: "127.0.0.1", node: "fake:1")
        }
        let hostile: [RedisReply] = [
            Self.slots([(-5, 100, 7000)]),
            Self.slots([(0, Int64.max, 7000)]),
            Self.slots([(0, 16384, 7000)]),
            Self.slots([(10, 5, 7000)]),
            Self.slots([(0, 100, 70000)]),
            Self.slots([(0, 100, 0)]),
            Self.slots((0..<32768).map { (Int64($0 % 16384), Int64($0 % 16384), 7000) }),
            Self.slots((0..<2001).map { (Int64($0), Int64($0), 20000 + Int64($0)) }),
            .array([.array([.integer(0), .integer(5)] + (0..<65).map { .array([.string(Array("127.0.0.1".utf8)), .integer(7000 + $0)]) })]),
            .array([.array([.integer(0), .integer(5)])]),
            .integer(3),
        ]
        for reply in hostile {
            do {
                _ = try parse(reply)
                Issue.record("accepted \(String(describing: reply).prefix(80))")
            } catch {
                #expect(error.code == .serverError && error.node == "fake:1", "\(error)")
            }
        }
        // A large healthy cluster (here 1,000 masters with a replica each) is read in full.
        let large = try parse(.array((0..<1000).map { index -> RedisReply in
            let first = Int64(index * 16), last = Int64(index * 16 + 15)
            return .array([.integer(first), .integer(min(last, 16383)), .array([.string(Array("10.0.\(index / 250).\(index % 250)".utf8)), .integer(6379)]),
                           .array([.string(Array("10.1.\(index / 250).\(index % 250)".utf8)), .integer(6379)])])
        }))
        #expect(large.nodes.count == 2000 && large.masters.count == 1000)
        let valid = try parse(Self.slots([(0, 8191, 7000), (8192, 16383, 7001)]))
        #expect(valid.master(for: 8192) == KVEndpoint(host: "127.0.0.1", port: 7001))
        #expect(valid.unservedSlots == 0)
    }

    /// A node that claims every slot, then answers reads with crafted redirects.
    static func fakeNode(redirect: @escaping @Sendable (Int) -> String) throws -> (FakeRedisNode, Locked<Int>) {
        let port = Locked(0)
        let counter = Locked(0)
        let node = try FakeRedisNode { command in
            switch command.first?.uppercased() {
            case "CLUSTER": return .bytes(Array(RESP.slots([(0, 16383, Int64(port.value))]).utf8))
            case "GET":
                let n = counter.withLock { count in
                    defer { count += 1 }
                    return count
                }
                return .bytes(Array(RESP.error(redirect(n)).utf8))
            default: return .bytes(Array("+OK\r\n".utf8))
            }
        }
        port.withLock { $0 = node.port }
        return (node, counter)
    }

    @Test func malformedRedirectsFromANodeAreServerErrors() async throws {
        for message in ["MOVED 99999 127.0.0.1:7000", "MOVED -1 127.0.0.1:7000", "MOVED 5 127.0.0.1:70000"] {
            let (node, _) = try Self.fakeNode { _ in message }
            defer { node.close() }
            let store = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: "cluster://\(node.endpoint)?commandTimeout=1s"))
            try await withShutdown(store) { () async throws in
                do throws(KVError) {
                    _ = try await store.get("k")
                    Issue.record("a malformed redirect was followed")
                } catch {
                    #expect(error.code == .serverError && error.node == node.endpoint && error.key == "k", "\(error)")
                }
            }
        }
    }

    /// 60 redirects to 60 invented addresses: none is connected to, and the client's threads stay few.
    @Test func redirectStormToUnknownAddressesOpensNoPools() async throws {
        let (node, _) = try Self.fakeNode { n in "MOVED \(n % 16384) 127.0.0.1:\(30000 + n)" }
        defer { node.close() }
        let before = Self.threads(named: "kv-redis")
        #expect(before >= 0)
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: "cluster://\(node.endpoint)?commandTimeout=1s")) as! KVClusterStore
        try await withShutdown(store) { () async throws in
            for i in 0..<60 {
                do throws(KVError) {
                    _ = try await store.get("storm:\(i)")
                    Issue.record("a redirect to an unknown node was followed")
                } catch {
                    #expect(error.code == .serverError, "\(error)")
                }
            }
            // Other suites' stores may own connection threads in this process too: count this store's.
            let threads = Self.threads(named: "kv-redis") - before
            #expect(Self.threads(named: "kv-redis") >= 1, "the store's connection thread is counted (the count can see threads)")
            #expect(threads <= 2, "\(threads) connection threads after 60 redirects to new addresses")
            #expect(store.topology?.nodes == [KVEndpoint(host: "127.0.0.1", port: node.port)])
        }
    }

    /// Threads of this process with the given name.
    static func threads(named name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.hasPrefix(name) == true }.count
    }

    @Test func aHostileSlotMapFailsTheOpenWithATypedError() async throws {
        let node = try FakeRedisNode { _ in .bytes(Array(RESP.slots([(0, Int64.max, 7000)]).utf8)) }
        defer { node.close() }
        do {
            _ = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: "cluster://\(node.endpoint)?commandTimeout=1s"))
            Issue.record("opened a cluster with a hostile slot map")
        } catch {
            #expect(error.code == .serverError && error.message.contains("invalid CLUSTER SLOTS") && error.message.contains(node.endpoint), "\(error)")
        }
    }

    /// A refused password is `authenticationFailed`, as on redis://, not a connection failure.
    @Test func aWrongPasswordIsAnAuthenticationFailure() async throws {
        let node = try FakeRedisNode { command in
            command.first?.uppercased() == "AUTH"
                ? .bytes(Array(RESP.error("WRONGPASS invalid username-password pair or user is disabled.").utf8)) : .bytes(Array("+OK\r\n".utf8))
        }
        defer { node.close() }
        do {
            _ = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: "cluster://:wrong@\(node.endpoint)?commandTimeout=1s"))
            Issue.record("opened a cluster with a refused password")
        } catch {
            #expect(error.code == .authenticationFailed && error.message.contains("WRONGPASS") && !error.message.contains("wrong@"), "\(error)")
        }
    }

    /// A healthy 33 + 33 cluster's slot map (66 nodes, served by a fake node) is accepted, and a map beyond the
    /// limit is refused as `serverError` naming the node and the limit.
    @Test func aSlotMapOf66NodesIsAcceptedAndOneBeyondTheLimitIsAServerError() async throws {
        @Sendable func map(masters: Int, port: Int) -> String {
            RESP.array((0..<masters).map { index in
                let first = Int64(index * 16384 / masters), last = Int64((index + 1) * 16384 / masters - 1)
                let master = index == 0 ? Int64(port) : Int64(30000 + index)
                return RESP.array([RESP.integer(first), RESP.integer(last), RESP.array([RESP.bulk("127.0.0.1"), RESP.integer(master)]),
                                   RESP.array([RESP.bulk("127.0.0.1"), RESP.integer(Int64(40000 + index))])])
            })
        }
        let port = Locked(0)
        let masters = Locked(33)
        let node = try FakeRedisNode { command in
            command.first?.uppercased() == "CLUSTER" ? .bytes(Array(map(masters: masters.value, port: port.value).utf8)) : .bytes(Array("+OK\r\n".utf8))
        }
        defer { node.close() }
        port.withLock { $0 = node.port }
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: "cluster://\(node.endpoint)?commandTimeout=1s")) as! KVClusterStore
        #expect(store.topology?.nodes.count == 66 && store.topology?.masters.count == 33)
        await store.shutdown()
        masters.withLock { $0 = 1001 }
        do {
            _ = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: "cluster://\(node.endpoint)?commandTimeout=1s"))
            Issue.record("opened a cluster whose slot map names 2,002 nodes")
        } catch {
            #expect(error.code == .serverError && error.message.contains("more than 2000 nodes") && error.message.contains(node.endpoint), "\(error)")
        }
    }
}


/// The cluster store's Service lifecycle, against a fake node.
@Suite struct ClusterServiceTests {
    @Test func runEndsAtShutdown() async throws {
        let (node, _) = try ClusterHostileNodeTests.fakeNode { _ in "ERR unused" }
        defer { node.close() }
        let store = try await KVBackendRegistry([KVClusterBackend()]).open(try KVConfiguration(url: "cluster://\(node.endpoint)")) as! KVClusterStore
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            try await Task.sleep(for: .milliseconds(50))
            let stopping = ContinuousClock.now
            await store.shutdown()
            try await group.next()
            #expect(ContinuousClock.now - stopping < .seconds(10), "run() ended with the store, not after the 30 s refresh interval")
        }
    }
}
