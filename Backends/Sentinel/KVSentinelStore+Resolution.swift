import KVCore
import KVRedisConfiguration
import KVRedisCore
import Logging
import Synchronization

extension KVSentinelStore {
    /// The outcome of one look for the master, shared with the calls that waited for it.
    enum Resolution: Sendable {
        case adopted(Nodes)
        /// Writes are held for a failover and no new master answers yet.
        case held(KVError)
        case failed(KVError)
    }

    /// The node clients to use for a call, asking the sentinels first when there is no master yet, it may be
    /// gone, or (before a write) it was last checked more than a second ago. A write waits, until `deadline`,
    /// while a failover of the master is under way. One call looks at a time; the others wait for its outcome.
    func currentNodes(write: Bool, deadline: ContinuousClock.Instant) async throws(KVError) -> Nodes {
        enum Step { case ready(Nodes), resolve(holding: Bool) }
        while true {
            let step = try state.withLock { (state) throws(KVError) -> Step in
                if state.closed { throw KVError.shutdown(node: "sentinel") }
                let now = ContinuousClock.now
                let holding = write && state.tracker.holdsWrites(current: state.nodes?.master, now: now)
                if let nodes = state.nodes, !state.needsCheck, !holding {
                    // The periodic check is a backstop: one write runs it, the others go on meanwhile.
                    guard write, state.tracker.needsVerification(now: now), !resolutions.isRunning else { return .ready(nodes) }
                    state.tracker.verifying(now: now)
                }
                return .resolve(holding: holding)
            }
            let holding: Bool
            switch step {
            case .ready(let nodes): return nodes
            case .resolve(let holds): holding = holds
            }
            // One call asks the sentinels; calls that come meanwhile share its outcome.
            let outcome = await resolutions.run { await self.resolve(holding: holding) } ?? .failed(KVError.shutdown(node: "sentinel"))
            switch outcome {
            case .adopted:
                continue  // the state now says whether the call may go ahead (a write may still be held)
            case .failed(let error):
                throw error
            case .held(let error):
                guard write else { continue }
                let pause = Duration.milliseconds(20)
                guard ContinuousClock.now + pause < deadline else { throw error }
                try? await Task.sleep(for: pause)
            }
        }
    }

    /// Marks `master` as possibly gone, if it is still the one in use.
    func forget(_ master: KVEndpoint) {
        state.withLock { state in
            if state.nodes?.master == master { state.needsCheck = true }
        }
    }

    /// Looks for the master: the candidate of a failover under way, a master a sentinel announced, and the
    /// master the sentinels name, in the order ``SentinelFailoverTracker/candidates(named:current:now:)``
    /// gives; the first whose `ROLE` says master is adopted. While writes are held the master in use is not
    /// a choice, and the sentinels are not asked while the failover's candidate is known.
    func resolve(holding: Bool) async -> Resolution {
        let (current, candidate) = state.withLock { ($0.nodes?.master, $0.tracker.failover?.candidate) }
        var named: [KVEndpoint] = []
        var problems: [String] = []
        var answering: KVEndpoint?
        var refusedPassword = false
        if !(holding && candidate != nil) {
            let survey = await askSentinels()
            named = survey.newest.map { [$0] } ?? []
            answering = survey.answering
            problems = survey.problems
            refusedPassword = survey.refusedPassword
            state.withLock { state in
                // Only when every sentinel answered can the survey say that none is failing the master over.
                state.tracker.surveyed(failingOver: survey.failingOver, allAnswered: answering != nil && survey.problems.isEmpty, current: state.nodes?.master, now: .now)
            }
        }
        let (order, held) = state.withLock { state in
            (state.tracker.candidates(named: named, current: current, now: .now), state.tracker.holdsWrites(current: current, now: .now))
        }
        let holdingNow = holding || held
        for master in order where !(holdingNow && master == current) {
            do throws(KVError) {
                return .adopted(try await adopt(master, listingReplicasFrom: answering))
            } catch {
                if error.code == .shutdown { return .failed(error) }
                refusedPassword = refusedPassword || error.code == .authenticationFailed
                problems.append("\(master): \(error.code): \(error.message)")
            }
        }
        if holdingNow, let current {
            return .held(KVError(.unavailable, "a failover of the master \(current) is under way and no new master answers yet; the write was not sent (\(problems.joined(separator: "; ")))", node: current.description))
        }
        // A refused password is said as such, as on every store; otherwise no master could be found.
        return .failed(KVError(
            refusedPassword ? .authenticationFailed : .unavailable,
            "no sentinel named a master of \(options.masterName) that answers as master: \(problems.joined(separator: "; "))", node: "sentinel"))
    }

    /// What the sentinels said of the master: the address named with the newest configuration epoch (a
    /// sentinel that has not learnt of a failover yet names the old master with an older epoch), the masters
    /// a sentinel is failing over, the first sentinel that answered, and what went wrong with the others.
    struct Survey {
        var newest: KVEndpoint?
        var failingOver: Set<KVEndpoint> = []
        var answering: KVEndpoint?
        var problems: [String] = []
        /// A sentinel refused the password.
        var refusedPassword = false
    }

    /// One sentinel's view of the master (`SENTINEL MASTER name`).
    struct SentinelView: Sendable {
        var master: KVEndpoint
        var epoch: Int64
        var failingOver: Bool
    }

    /// Asks every sentinel at once for its view of the master.
    private func askSentinels() async -> Survey {
        let sentinels = state.withLock { $0.sentinels }
        startWatchers(sentinels)
        let answers = await withTaskGroup(of: (Int, Result<SentinelView, KVError>).self) { group in
            for (index, sentinel) in sentinels.enumerated() {
                group.addTask { (index, await self.askForMaster(sentinel)) }
            }
            var answers = [Result<SentinelView, KVError>?](repeating: nil, count: sentinels.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
        var survey = Survey()
        var newestEpoch = Int64.min
        for (sentinel, answer) in zip(sentinels, answers) {
            switch answer {
            case .success(let view):
                if view.epoch > newestEpoch {
                    newestEpoch = view.epoch
                    survey.newest = view.master
                }
                if view.failingOver { survey.failingOver.insert(view.master) }
                if survey.answering == nil { survey.answering = sentinel }
            case .failure(let error):
                survey.refusedPassword = survey.refusedPassword || error.code == .authenticationFailed
                survey.problems.append("\(sentinel): \(error.code): \(error.message)")
            case nil:
                break
            }
        }
        if let answering = survey.answering {
            // The sentinel that answered is asked first next time.
            state.withLock { state in
                state.sentinels.removeAll { $0 == answering }
                state.sentinels.insert(answering, at: 0)
            }
        }
        return survey
    }

    /// How long a sentinel may take to answer `SENTINEL MASTER` (or the command timeout, if shorter).
    static let sentinelAnswerTimeout = Duration.milliseconds(500)

    /// One sentinel's answer to `SENTINEL MASTER name`, checked.
    private func askForMaster(_ sentinel: KVEndpoint) async -> Result<SentinelView, KVError> {
        do throws(KVError) {
            let node = sentinel.description
            // Bounded shorter than a command: a frozen sentinel must not hold up the write that asks.
            let deadline = ContinuousClock.now + min(options.sentinelNode.commandTimeout, Self.sentinelAnswerTimeout)
            let pool = try sentinelPool(sentinel)
            let answer: RedisReply
            do throws(RedisFailure) {
                answer = try await pool.connection().execute([RedisCommand("SENTINEL", "MASTER", options.masterName)], deadline: deadline)[0]
            } catch {
                throw error.error
            }
            let reply = try answer.orThrow(node: node)
            let fields = Self.fields(reply)
            guard let host = fields["ip"], !host.isEmpty, host.utf8.count <= 255, let port = fields["port"].flatMap({ Int($0) }), (1...65535).contains(port)
            else { return .failure(KVError(.serverError, "answered SENTINEL MASTER with \(reply), not the master's fields ip and port", node: node)) }
            let epoch = fields["config-epoch"].flatMap { Int64($0) } ?? 0
            let failingOver = (fields["flags"] ?? "").split(separator: ",").contains("failover_in_progress")
            return .success(SentinelView(master: KVEndpoint(host: host, port: port), epoch: epoch, failingOver: failingOver))
        } catch {
            if error.code == .serverError, error.message.contains("No such master") {
                return .failure(KVError(.unavailable, "does not monitor \(options.masterName)", node: sentinel.description))
            }
            return .failure(error)
        }
    }

    /// Checks with `ROLE` that `master` is a master, then uses it: a new master gets new clients, and the clients
    /// of the one it replaces (a demoted master) are closed, which fails the requests still queued on them as
    /// not sent, so their calls go to the new master.
    private func adopt(_ master: KVEndpoint, listingReplicasFrom sentinel: KVEndpoint?) async throws(KVError) -> Nodes {
        let current = state.withLock { $0.nodes }
        let reused = current?.master == master
        let client = reused ? current!.client : makeClient(master)
        do throws(KVError) {
            let role = try await client.pool.send(RedisCommand("ROLE")).orThrow(node: master.description)
            guard let first = role.array?.first?.text else {
                throw KVError(.serverError, "answered ROLE with \(role), not an array starting with the role", node: master.description)
            }
            guard first == "master" else {
                throw KVError(.unavailable, "\(master) is not a master (ROLE: \(RedisReply.excerpt(Array(first.utf8))))", node: master.description)
            }
        } catch {
            if !reused { client.close() }
            throw error
        }
        let listing = sentinel ?? state.withLock { $0.sentinels.first }
        let replicas = options.readFrom == .replicaPreferred && listing != nil
            ? await replicaClients(from: listing!, keeping: reused ? current?.replicas ?? [] : []) : []
        let nodes = Nodes(master: master, client: client, replicas: replicas)
        if let previous = state.withLock({ $0.nodes?.master }), previous != master {
            // A switch: what the clients kept may predate writes the old master acknowledged and lost.
            for node in [client] + replicas.map(\.client) { node.nearCache?.flush("failover", detail: "the master moved from \(previous) to \(master)") }
        }
        let replaced = state.withLock { state -> Nodes? in
            let old = state.nodes
            state.nodes = state.closed ? nil : nodes
            state.needsCheck = false
            state.tracker.adopted(master, replacing: old?.master, now: .now)
            return old
        }
        if replaced?.master != master {
            let reason = replaced.map { "the sentinels named a new master: \($0.master) replaced by \(master)" }
            watchFeeds.setNodes([client.options.connection], resync: reason)
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
        let connection = RedisConnectionConfiguration(endpoint: endpoint, settings: options.node)
        return RedisNodeClient(options: RedisNodeOptions(connection: connection, defaultPoolSize: 2, confirmWrites: options.confirmWrites), logger: logger)
    }

    /// A one-connection pool to a sentinel, kept while the store lives.
    func sentinelPool(_ sentinel: KVEndpoint) throws(KVError) -> RedisPool {
        try state.withLock { (state) throws(KVError) -> RedisPool in
            if state.closed { throw KVError.shutdown(node: "sentinel") }
            if let pool = state.sentinelPools[sentinel] { return pool }
            let connection = RedisConnectionConfiguration(endpoint: sentinel, settings: options.sentinelNode)
            let pool = RedisPool(configuration: connection, size: 1, logger: logger)
            state.sentinelPools[sentinel] = pool
            return pool
        }
    }
}
