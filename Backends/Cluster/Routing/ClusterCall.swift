import KVCore
import KVRedisCore

/// Where one attempt of a request goes: a node, whether it is a replica read, whether `ASKING` goes first.
struct ClusterRoute: Hashable, Sendable {
    var endpoint: KVEndpoint
    var replica: Bool
    var asking: Bool
}

/// A refresh of the slot map that a step asks for.
enum ClusterRefresh: Equatable, Sendable {
    case none
    /// Ask for one and go on: the store's `run()` does it, or a caller does it if none is under way.
    case soon(avoiding: KVEndpoint?)
    /// Refresh (or join the refresh under way) before the next attempt; `force` halves the minimum interval.
    case wait(force: Bool, avoiding: KVEndpoint?)
}

/// A redirect a node answered with: `MOVED` (the slot lives at `target` for good) or `ASK` (this request only).
struct ClusterRedirectStep: Equatable, Sendable {
    var target: KVEndpoint
    /// The slot of a `MOVED`, whose owner the slot map learns; nil for `ASK`.
    var movedSlot: Int?
}

/// The decisions of one cluster request, as a value driven by replies, failures and a clock, with no I/O:
/// which node to send to (`readFrom`), what a reply means (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`,
/// `LOADING`, `MASTERDOWN`), whether a failure is retried (the engine's ``RedisRetryPolicy``), when the slot map
/// is refreshed, and when the request gives up (its retry budget, `maxRedirects`). The store performs each step
/// (``KVClusterStore/send(_:key:write:)``); the unit tests drive it with scripted replies and a manual clock.
struct ClusterCall {
    enum Step: Equatable {
        /// Send the commands to this node.
        case send(ClusterRoute)
        /// Refresh as asked, wait `after`, then route again (``next(in:latency:now:)``).
        case retry(after: Duration, refresh: ClusterRefresh)
        /// Follow a redirect: the store checks that the target is a node of the slot map (refreshing the map
        /// once if not), then calls ``followed(_:known:)``.
        case redirect(ClusterRedirectStep)
        /// Give up with this error, after refreshing as asked.
        case fail(KVError, refresh: ClusterRefresh)
    }

    let key: String
    let slot: Int
    let read: Bool
    let readFrom: KVClusterStore.ReadFrom
    let budget: Duration
    let deadline: ContinuousClock.Instant
    let maxRedirects: Int
    private(set) var redirects = 0
    private(set) var backOff = RedisBackOff()
    /// The node of the last attempt, named in errors.
    private(set) var lastRoute: ClusterRoute?
    private var asking: KVEndpoint?
    private var random: any RandomNumberGenerator

    init(
        key: String, read: Bool, readFrom: KVClusterStore.ReadFrom, budget: Duration, maxRedirects: Int, now: ContinuousClock.Instant,
        random: any RandomNumberGenerator = SystemRandomNumberGenerator()
    ) {
        self.key = key
        slot = KVClusterSlot.slot(for: key)
        self.read = read
        self.readFrom = readFrom
        self.budget = budget
        deadline = now + budget
        self.maxRedirects = maxRedirects
        self.random = random
    }

    private var lastNode: String { lastRoute?.endpoint.description ?? "none" }

    /// The deadline of the next attempt: one command timeout, within the budget.
    func attemptDeadline(now: ContinuousClock.Instant, commandTimeout: Duration) -> ContinuousClock.Instant {
        min(deadline, now + commandTimeout)
    }

    /// Where the request goes next: the node an `ASK` named, else the slot's master, or for a read, the node
    /// `readFrom` picks among the master and its replicas (`nearest`: the lowest measured round trip).
    mutating func next(in topology: KVClusterTopology?, latency: [KVEndpoint: Duration], now: ContinuousClock.Instant) -> Step {
        if let asking {
            return send(ClusterRoute(endpoint: asking, replica: false, asking: true))
        }
        guard let route = Self.route(slot: slot, read: read, readFrom: readFrom, in: topology, latency: latency, random: &random) else {
            return retry(refresh: .wait(force: true, avoiding: nil), cause: "no node serves the slot", now: now)
        }
        return send(route)
    }

    /// The node for `slot` in `topology`: its master, or for a read the node `readFrom` picks among the master
    /// and its replicas; nil when no node serves the slot. A batch groups its keys by this route.
    static func route(
        slot: Int, read: Bool, readFrom: KVClusterStore.ReadFrom, in topology: KVClusterTopology?, latency: [KVEndpoint: Duration],
        random: inout any RandomNumberGenerator
    ) -> ClusterRoute? {
        guard let topology, let master = topology.master(for: slot) else { return nil }
        var endpoint = master
        if read {
            let replicas = topology.replicas(for: slot)
            switch readFrom {
            case .master:
                break
            case .replicaPreferred:
                if !replicas.isEmpty { endpoint = replicas[Int(random.next(upperBound: UInt(replicas.count)))] }
            case .nearest:
                func rtt(_ node: KVEndpoint) -> Duration { latency[node] ?? .seconds(1) }
                endpoint = ([master] + replicas).min { rtt($0) < rtt($1) } ?? master
            }
        }
        return ClusterRoute(endpoint: endpoint, replica: endpoint != master, asking: false)
    }

    private mutating func send(_ route: ClusterRoute) -> Step {
        lastRoute = route
        return .send(route)
    }

    /// What the first reply of an attempt means: nil when the replies answer the request (error replies
    /// included: they are the key's, not the cluster's), else the next step.
    mutating func replied(_ reply: RedisReply, now: ContinuousClock.Instant) -> Step? {
        guard let message = reply.errorMessage, let redirect = ClusterRedirect(message, currentHost: lastRoute?.endpoint.host ?? "") else {
            return nil
        }
        asking = nil
        switch redirect {
        case .moved(let movedSlot, let target):
            return redirected(ClusterRedirectStep(target: target, movedSlot: movedSlot), message: message)
        case .ask(_, let target):
            return redirected(ClusterRedirectStep(target: target, movedSlot: nil), message: message)
        case .retry(let kind):
            let refresh: ClusterRefresh = kind == "CLUSTERDOWN" || kind == "MASTERDOWN" ? .wait(force: false, avoiding: nil) : .none
            return retry(refresh: refresh, cause: message, now: now)
        case .malformed(let problem):
            return .fail(KVError(.serverError, problem, key: key, node: lastNode), refresh: .none)
        }
    }

    private mutating func redirected(_ step: ClusterRedirectStep, message: String) -> Step {
        redirects += 1
        guard redirects <= maxRedirects else {
            let error = KVError(.unavailable, "gave up after \(redirects) redirects for slot \(slot); last: \(message)", key: key, node: lastNode)
            return .fail(error, refresh: .soon(avoiding: nil))
        }
        return .redirect(step)
    }

    /// After a redirect: a target outside the cluster's own slot map is never connected to, so a broken or
    /// hostile node cannot make the client open connections (and threads) to arbitrary addresses. Returns the
    /// failure, or nil to route again (an `ASK` target for this request only).
    mutating func followed(_ redirect: ClusterRedirectStep, known: Bool) -> Step? {
        guard known else {
            let error = KVError(
                .serverError, "redirected for slot \(redirect.movedSlot ?? slot) to \(redirect.target), which is not a node of the cluster's slot map",
                key: key, node: lastNode)
            return .fail(error, refresh: .none)
        }
        if redirect.movedSlot == nil { asking = redirect.target }
        return nil
    }

    /// What to do after an attempt failed: the engine's retry policy, plus the cluster's part: a node that
    /// failed or timed out may be frozen or gone, so the slot map is refreshed from the others. A request
    /// dropped unsent because its node left the slot map (`shutdown` of that node's connections while the store
    /// is open) is routed again.
    mutating func failed(_ failure: RedisFailure, safety: RedisCommandSafety, storeClosed: Bool, now: ContinuousClock.Instant) -> Step {
        asking = nil
        let (decision, refresh) = Self.decide(failure, safety: safety, node: lastRoute?.endpoint, storeClosed: storeClosed)
        switch decision {
        case .retry where now < deadline: return retry(refresh: refresh, cause: failure.error.message, now: now)
        case .retry: return .fail(failure.error.keyed(key), refresh: refresh)
        case .surface(let error): return .fail(error.keyed(key), refresh: refresh)
        }
    }

    /// Whether a failed attempt on `node` may be sent again, and the refresh it asks for (a batch's pipeline
    /// is decided the same way).
    static func decide(
        _ failure: RedisFailure, safety: RedisCommandSafety, node: KVEndpoint?, storeClosed: Bool
    ) -> (RedisRetryPolicy.Decision, ClusterRefresh) {
        if failure.error.code == .shutdown, !failure.mayHaveRun, !storeClosed { return (.retry, .none) }
        let decision = RedisRetryPolicy.decide(failure, safety: safety)
        switch failure.error.code {
        case .timeout: return (decision, .soon(avoiding: node))
        case .connectionFailed where decision == .retry: return (decision, .wait(force: true, avoiding: node))
        case .connectionFailed: return (decision, .soon(avoiding: node))
        default: return (decision, .none)
        }
    }

    /// A retry after a jittered back-off, or the end of the budget.
    private mutating func retry(refresh: ClusterRefresh, cause: String, now: ContinuousClock.Instant) -> Step {
        let delay = backOff.next(jitter: Double(random.next(upperBound: UInt(1 << 20))) / Double(1 << 20))
        guard now + delay < deadline else {
            let error = KVError(.unavailable, "retry budget of \(budget) spent for slot \(slot): \(cause)", key: key, node: lastNode)
            return .fail(error, refresh: refresh)
        }
        return .retry(after: delay, refresh: refresh)
    }
}
