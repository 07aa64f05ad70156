import KVCore
import KVRedisCore
import Testing

@testable import KVCluster

/// The cluster's routing decisions (``ClusterCall``), driven by scripted replies and failures and a manual
/// clock: no server.
@Suite struct ClusterCallTests {
    let a = KVEndpoint(host: "10.0.0.1", port: 7000)
    let b = KVEndpoint(host: "10.0.0.2", port: 7001)
    let replicaA = KVEndpoint(host: "10.0.0.4", port: 7003)
    let outsider = KVEndpoint(host: "10.9.9.9", port: 7999)
    let start = ContinuousClock.now
    let key = "user:1"
    var slot: Int { KVClusterSlot.slot(for: key) }

    /// `a` (with `replicaA`) serves every slot but ``slot``'s half of the map, `b` the other half.
    var topology: KVClusterTopology {
        let ownHalf = slot < 8192 ? 0...8191 : 8192...16383
        let otherHalf = slot < 8192 ? 8192...16383 : 0...8191
        return KVClusterTopology(ranges: [
            .init(slots: ownHalf, master: a, replicas: [replicaA]),
            .init(slots: otherHalf, master: b, replicas: []),
        ])
    }

    func call(read: Bool = false, readFrom: KVClusterStore.ReadFrom = .master, budget: Duration = .seconds(5), maxRedirects: Int = 5) -> ClusterCall {
        ClusterCall(key: key, read: read, readFrom: readFrom, budget: budget, maxRedirects: maxRedirects, now: start)
    }

    func failure(_ code: KVError.Code, mayHaveRun: Bool) -> RedisFailure {
        RedisFailure(KVError(code, "scripted \(code)", node: a.description), mayHaveRun: mayHaveRun)
    }

    // MARK: Routes

    @Test func writesGoToTheSlotsMaster() {
        var call = call()
        #expect(call.next(in: topology, latency: [:], now: start) == .send(ClusterRoute(endpoint: a, replica: false, asking: false)))
    }

    @Test func readsFollowReadFrom() {
        var master = call(read: true, readFrom: .master)
        #expect(master.next(in: topology, latency: [:], now: start) == .send(ClusterRoute(endpoint: a, replica: false, asking: false)))
        var preferred = call(read: true, readFrom: .replicaPreferred)
        #expect(preferred.next(in: topology, latency: [:], now: start) == .send(ClusterRoute(endpoint: replicaA, replica: true, asking: false)))
        var nearest = call(read: true, readFrom: .nearest)
        let fasterReplica = [a: Duration.milliseconds(3), replicaA: .milliseconds(1)]
        #expect(nearest.next(in: topology, latency: fasterReplica, now: start) == .send(ClusterRoute(endpoint: replicaA, replica: true, asking: false)))
        var nearestMaster = call(read: true, readFrom: .nearest)
        let fasterMaster = [a: Duration.milliseconds(1), replicaA: .milliseconds(3)]
        #expect(nearestMaster.next(in: topology, latency: fasterMaster, now: start) == .send(ClusterRoute(endpoint: a, replica: false, asking: false)))
        var write = call(read: false, readFrom: .replicaPreferred)
        #expect(write.next(in: topology, latency: [:], now: start) == .send(ClusterRoute(endpoint: a, replica: false, asking: false)), "a write never goes to a replica")
    }

    @Test func noSlotMapRefreshesAndBacksOff() {
        var call = call()
        guard case .retry(let delay, let refresh) = call.next(in: nil, latency: [:], now: start) else {
            Issue.record("expected a retry")
            return
        }
        #expect(refresh == .wait(force: true, avoiding: nil))
        #expect(delay >= .milliseconds(10) && delay <= .milliseconds(20))
    }

    // MARK: Replies

    @Test func aValueOrAnErrorOfTheKeyIsTheAnswer() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        #expect(call.replied(.string(Array("v".utf8)), now: start) == nil, "nil: the replies are the answer")
        #expect(call.replied(.error("WRONGTYPE Operation against a key holding the wrong kind of value"), now: start) == nil)
    }

    @Test func movedIsFollowedToAKnownNodeAndUpdatesTheRoute() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        let step = call.replied(.error("MOVED \(slot) \(b.host):\(b.port)"), now: start)
        let redirect = ClusterRedirectStep(target: b, movedSlot: slot)
        #expect(step == .redirect(redirect))
        #expect(call.followed(redirect, known: true) == nil)
        var moved = topology
        moved.assign(slot: slot, to: b)
        #expect(call.next(in: moved, latency: [:], now: start) == .send(ClusterRoute(endpoint: b, replica: false, asking: false)))
    }

    @Test func askGoesToTheTargetOnceWithAsking() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        let step = call.replied(.error("ASK \(slot) \(b.host):\(b.port)"), now: start)
        let redirect = ClusterRedirectStep(target: b, movedSlot: nil)
        #expect(step == .redirect(redirect))
        #expect(call.followed(redirect, known: true) == nil)
        #expect(call.next(in: topology, latency: [:], now: start) == .send(ClusterRoute(endpoint: b, replica: false, asking: true)))
        // The target answers TRYAGAIN (keys of a multi-key command still moving): the retry goes to the owner again.
        guard case .retry = call.replied(.error("TRYAGAIN Multiple keys request during rehashing of slot"), now: start) else {
            Issue.record("expected a retry")
            return
        }
        #expect(call.next(in: topology, latency: [:], now: start) == .send(ClusterRoute(endpoint: a, replica: false, asking: false)))
    }

    @Test func aRedirectOutsideTheSlotMapIsRefused() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        let redirect = ClusterRedirectStep(target: outsider, movedSlot: slot)
        #expect(call.replied(.error("MOVED \(slot) \(outsider.host):\(outsider.port)"), now: start) == .redirect(redirect))
        guard case .fail(let error, .none) = call.followed(redirect, known: false) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .serverError && error.key == key && error.message.contains("not a node of the cluster's slot map"))
    }

    @Test func redirectsAreBoundedByMaxRedirects() {
        var call = call(maxRedirects: 2)
        for _ in 0..<2 {
            _ = call.next(in: topology, latency: [:], now: start)
            guard case .redirect(let redirect) = call.replied(.error("MOVED \(slot) \(b.host):\(b.port)"), now: start) else {
                Issue.record("expected a redirect")
                return
            }
            #expect(call.followed(redirect, known: true) == nil)
        }
        _ = call.next(in: topology, latency: [:], now: start)
        guard case .fail(let error, _) = call.replied(.error("MOVED \(slot) \(b.host):\(b.port)"), now: start) else {
            Issue.record("expected a failure after two redirects")
            return
        }
        #expect(error.code == .unavailable && error.message.contains("3 redirects"))
    }

    @Test func aMalformedRedirectIsAServerError() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        guard case .fail(let error, .none) = call.replied(.error("MOVED 99999 10.0.0.2:7001"), now: start) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .serverError && error.node == a.description)
    }

    @Test func transientStatesBackOffWithGrowingWaitsAndClusterDownRefreshes() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        for (index, reply) in ["TRYAGAIN x", "LOADING Redis is loading the dataset in memory", "CLUSTERDOWN The cluster is down", "MASTERDOWN Link with MASTER is down"].enumerated() {
            guard case .retry(let delay, let refresh) = call.replied(.error(reply), now: start) else {
                Issue.record("expected a retry for \(reply)")
                return
            }
            let step = Duration.milliseconds(20 << index)
            #expect(delay >= step / 2 && delay <= step, "wait \(index + 1) is jittered within half of its step and the step")
            #expect(refresh == (reply.hasPrefix("CLUSTERDOWN") || reply.hasPrefix("MASTERDOWN") ? .wait(force: false, avoiding: nil) : .none))
            _ = call.next(in: topology, latency: [:], now: start)
        }
    }

    @Test func theRetryBudgetEndsTheCall() {
        var call = call(budget: .seconds(1))
        _ = call.next(in: topology, latency: [:], now: start)
        guard case .retry = call.replied(.error("TRYAGAIN x"), now: start + .milliseconds(500)) else {
            Issue.record("expected a retry within the budget")
            return
        }
        guard case .fail(let error, _) = call.replied(.error("TRYAGAIN x"), now: start + .milliseconds(995)) else {
            Issue.record("expected the budget to be spent")
            return
        }
        #expect(error.code == .unavailable && error.message.contains("retry budget") && error.key == key)
        #expect(call.attemptDeadline(now: start + .milliseconds(900), commandTimeout: .seconds(2)) == start + .seconds(1))
        #expect(call.attemptDeadline(now: start, commandTimeout: .milliseconds(200)) == start + .milliseconds(200))
    }

    // MARK: Failures

    @Test func aRefusedConnectionIsRetriedAfterARefreshAvoidingTheNode() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        guard case .retry(_, let refresh) = call.failed(failure(.connectionFailed, mayHaveRun: false), safety: .unsafe, storeClosed: false, now: start) else {
            Issue.record("expected a retry")
            return
        }
        #expect(refresh == .wait(force: true, avoiding: a))
    }

    @Test func aBrokenConnectionAfterAConditionalWriteIsAnUnknownOutcome() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        guard case .fail(let error, let refresh) = call.failed(failure(.connectionFailed, mayHaveRun: true), safety: .unsafe, storeClosed: false, now: start) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .outcomeUnknown && error.key == key)
        #expect(refresh == .soon(avoiding: a))
        var read = self.call(read: true)
        _ = read.next(in: topology, latency: [:], now: start)
        guard case .retry = read.failed(failure(.connectionFailed, mayHaveRun: true), safety: .read, storeClosed: false, now: start) else {
            Issue.record("a read is retried")
            return
        }
    }

    @Test func aTimeoutIsSurfacedAndAsksForARefresh() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        guard case .fail(let error, let refresh) = call.failed(failure(.timeout, mayHaveRun: true), safety: .read, storeClosed: false, now: start) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .timeout && error.key == key)
        #expect(refresh == .soon(avoiding: a))
    }

    @Test func aRequestDroppedUnsentByANodeThatLeftIsRoutedAgainUnlessTheStoreIsClosed() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        guard case .retry(_, .none) = call.failed(failure(.shutdown, mayHaveRun: false), safety: .unsafe, storeClosed: false, now: start) else {
            Issue.record("expected a retry")
            return
        }
        _ = call.next(in: topology, latency: [:], now: start)
        guard case .fail(let error, _) = call.failed(failure(.shutdown, mayHaveRun: false), safety: .unsafe, storeClosed: true, now: start) else {
            Issue.record("expected a failure once the store is closed")
            return
        }
        #expect(error.code == .shutdown)
    }

    @Test func anAuthenticationFailureIsNeverRetried() {
        var call = call()
        _ = call.next(in: topology, latency: [:], now: start)
        guard case .fail(let error, .none) = call.failed(failure(.authenticationFailed, mayHaveRun: true), safety: .read, storeClosed: false, now: start) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .authenticationFailed)
    }

    // MARK: Refresh schedule

    @Test func refreshesAreRateLimitedAndForcedOnesTwiceAsOften() {
        var schedule = ClusterRefreshSchedule(minInterval: .milliseconds(100))
        #expect(schedule.isDue(force: false, now: start))
        schedule.refreshed(at: start)
        #expect(!schedule.isDue(force: false, now: start + .milliseconds(60)))
        #expect(schedule.isDue(force: true, now: start + .milliseconds(60)))
        #expect(!schedule.isDue(force: true, now: start + .milliseconds(40)))
        #expect(schedule.isDue(force: false, now: start + .milliseconds(100)))
    }
}
