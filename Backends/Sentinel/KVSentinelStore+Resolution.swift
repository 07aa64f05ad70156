import KVCore
import KVRedisCore

extension KVSentinelStore {
    /// The master in use, asking the sentinels first when there is none or it may be gone. One call asks at a
    /// time, in its own task; the others wait for its outcome.
    func currentNodes() async throws(KVError) -> Nodes {
        enum Step { case ready(Nodes), wait, resolve }
        let step = try state.withLock { (state) throws(KVError) -> Step in
            if state.closed { throw KVError.shutdown(node: "sentinel") }
            if let nodes = state.nodes, !state.needsCheck { return .ready(nodes) }
            if state.resolving { return .wait }
            state.resolving = true
            return .resolve
        }
        switch step {
        case .ready(let nodes):
            return nodes
        case .wait:
            let outcome = await withCheckedContinuation { (waiter: CheckedContinuation<Result<Nodes, KVError>, Never>) in
                let settled = state.withLock { state -> Result<Nodes, KVError>? in
                    if state.closed { return .failure(KVError.shutdown(node: "sentinel")) }
                    if !state.resolving { return state.nodes.map { .success($0) } ?? .failure(KVError(.unavailable, "no master resolved", node: "sentinel")) }
                    state.waiters.append(waiter)
                    return nil
                }
                if let settled { waiter.resume(returning: settled) }
            }
            return try outcome.get()
        case .resolve:
            let outcome: Result<Nodes, KVError>
            do throws(KVError) { outcome = .success(try await resolve()) } catch { outcome = .failure(error) }
            let waiters = state.withLock { state in
                defer { state.waiters = [] }
                state.resolving = false
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: outcome) }
            return try outcome.get()
        }
    }

    /// Marks `master` as possibly gone, if it is still the one in use.
    func forget(_ master: KVEndpoint) {
        state.withLock { state in
            if state.nodes?.master == master { state.needsCheck = true }
        }
    }

    /// Asks the sentinels in turn for the master, checks it with `ROLE`, and adopts it.
    func resolve() async throws(KVError) -> Nodes {
        let sentinels = state.withLock { $0.sentinels }
        var problems: [String] = []
        for sentinel in sentinels {
            do throws(KVError) {
                let pool = try sentinelPool(sentinel)
                let reply = try await pool.send(RedisCommand("SENTINEL", "get-master-addr-by-name", options.masterName)).orThrow(node: sentinel.description)
                if reply.isNull {
                    problems.append("\(sentinel) does not monitor \(options.masterName)")
                    continue
                }
                guard let parts = reply.array, parts.count == 2, let host = parts[0].text, !host.isEmpty,
                      let port = parts[1].text.flatMap({ Int($0) }), (1...65535).contains(port)
                else {
                    problems.append("\(sentinel) answered \(reply), not [host, port]")
                    continue
                }
                let nodes = try await adopt(KVEndpoint(host: host, port: port), named: sentinel)
                state.withLock { state in
                    // The sentinel that answered is asked first next time.
                    state.sentinels.removeAll { $0 == sentinel }
                    state.sentinels.insert(sentinel, at: 0)
                }
                return nodes
            } catch {
                problems.append("\(sentinel): \(error.code): \(error.message)")
            }
        }
        throw KVError(.unavailable, "no sentinel named a master of \(options.masterName) that answers as master: \(problems.joined(separator: "; "))", node: "sentinel")
    }

    /// Checks with `ROLE` that `master` is a master, then uses it: a new master gets new clients, and the clients
    /// of the one it replaces (a demoted master) are closed.
    private func adopt(_ master: KVEndpoint, named sentinel: KVEndpoint) async throws(KVError) -> Nodes {
        let current = state.withLock { $0.nodes }
        let reused = current?.master == master
        let client = reused ? current!.client : makeClient(master)
        do throws(KVError) {
            let role = try await client.pool.send(RedisCommand("ROLE")).orThrow(node: master.description)
            guard role.array?.first?.text == "master" else {
                throw KVError(.unavailable, "\(master), named by \(sentinel), is not a master (ROLE: \(role.array?.first?.text ?? "?"))", node: master.description)
            }
        } catch {
            if !reused { client.close() }
            throw error
        }
        let replicas = options.readFrom == .replicaPreferred ? await replicaClients(from: sentinel, keeping: reused ? current?.replicas ?? [] : []) : []
        let nodes = Nodes(master: master, client: client, replicas: replicas)
        let replaced = state.withLock { state -> Nodes? in
            let old = state.nodes
            state.nodes = state.closed ? nil : nodes
            state.needsCheck = false
            return old
        }
        if let replaced {
            if replaced.master != master {
                logger.info("the master moved", metadata: ["from": "\(replaced.master)", "to": "\(master)", "master": "\(options.masterName)"])
                replaced.client.close()
            }
            for old in replaced.replicas where !replicas.contains(where: { $0.client === old.client }) { old.client.close() }
        }
        if state.withLock({ $0.closed }) {
            client.close()
            replicas.forEach { $0.client.close() }
            throw KVError.shutdown(node: "sentinel")
        }
        return nodes
    }

    /// Clients of the replicas a sentinel lists as up (reusing those in `existing`), at most 16.
    private func replicaClients(from sentinel: KVEndpoint, keeping existing: [(endpoint: KVEndpoint, client: RedisNodeClient)]) async -> [(endpoint: KVEndpoint, client: RedisNodeClient)] {
        guard let pool = try? sentinelPool(sentinel),
              let reply = try? await pool.send(RedisCommand("SENTINEL", "replicas", options.masterName)).orThrow(node: sentinel.description),
              let entries = reply.array
        else { return existing }
        var replicas: [(endpoint: KVEndpoint, client: RedisNodeClient)] = []
        for entry in entries.prefix(16) {
            let fields = Self.fields(entry)
            guard let ip = fields["ip"], let port = fields["port"].flatMap({ Int($0) }), (1...65535).contains(port) else { continue }
            let flags = fields["flags"] ?? ""
            // (Its master-link-status is refreshed only every 10 s, so it is not a guide.)
            guard !["s_down", "o_down", "disconnected"].contains(where: flags.contains) else { continue }
            let endpoint = KVEndpoint(host: ip, port: port)
            replicas.append(existing.first { $0.endpoint == endpoint } ?? (endpoint, makeClient(endpoint)))
        }
        return replicas
    }

    /// A flat `[name, value, name, value, …]` reply as a dictionary.
    static func fields(_ reply: RedisReply) -> [String: String] {
        guard let items = reply.array else { return [:] }
        var fields: [String: String] = [:]
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let name = items[index].text, let value = items[index + 1].text { fields[name] = value }
        }
        return fields
    }

    func makeClient(_ endpoint: KVEndpoint) -> RedisNodeClient {
        var connection = options.connection
        connection.endpoint = endpoint
        return RedisNodeClient(
            options: RedisNodeOptions(
                connection: connection, poolSize: options.poolSize, batchChunkSize: options.batchChunkSize,
                maxChunksInFlight: options.maxChunksInFlight, scanCount: options.scanCount),
            logger: logger)
    }

    /// A one-connection pool to a sentinel, kept while the store lives.
    func sentinelPool(_ sentinel: KVEndpoint) throws(KVError) -> RedisPool {
        try state.withLock { (state) throws(KVError) -> RedisPool in
            if state.closed { throw KVError.shutdown(node: "sentinel") }
            if let pool = state.sentinelPools[sentinel] { return pool }
            var connection = options.sentinelConnection
            connection.endpoint = sentinel
            let pool = RedisPool(configuration: connection, size: 1, logger: logger)
            state.sentinelPools[sentinel] = pool
            return pool
        }
    }
}
