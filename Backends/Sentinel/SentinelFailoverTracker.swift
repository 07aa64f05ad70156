import KVCore

/// What a sentinel store knows of a failover of its master: a pure value, driven by the sentinels'
/// announcements (``SentinelEvent``) and the times they arrive, and asked by the call path what to do.
///
/// Sentinel promotes a replica while the old master still accepts writes (it converts the old master only
/// seconds later), so a write that reaches the old master after the promotion is acknowledged and then lost.
/// The tracker holds writes from the moment a failover of the master in use starts until the store adopts the
/// new master; reads go on. It also remembers the masters the store left, so that a sentinel that has not yet
/// learnt of the promotion cannot send the store back to one.
struct SentinelFailoverTracker: Sendable {
    struct Failover: Equatable, Sendable {
        /// The master being failed over.
        var from: KVEndpoint
        /// The replica chosen for promotion, once announced.
        var candidate: KVEndpoint?
        /// The candidate was announced as promoted.
        var promoted = false
        var since: ContinuousClock.Instant
    }

    /// The failover of the master in use, while one is under way: writes wait for its end.
    private(set) var failover: Failover?
    /// A master a sentinel announced (`+switch-master`) that the store has not adopted yet.
    private(set) var announced: KVEndpoint?
    /// Masters the store left for another, and when.
    private(set) var demoted: [KVEndpoint: ContinuousClock.Instant] = [:]
    /// When the master in use was last checked against the sentinels and its own `ROLE`.
    private(set) var verifiedAt: ContinuousClock.Instant?

    /// How long writes are held for one failover at most; then the hold lapses and the sentinels are asked.
    let maxHold: Duration
    /// How long a master the store left is not gone back to while another answers as master.
    let demotedMemory: Duration
    /// How often the call path re-checks the master in use.
    let verifyInterval: Duration

    init(maxHold: Duration = .seconds(30), demotedMemory: Duration = .seconds(60), verifyInterval: Duration = .seconds(1)) {
        self.maxHold = maxHold
        self.demotedMemory = demotedMemory
        self.verifyInterval = verifyInterval
    }

    /// Takes in an announcement about the master called by the store's name; `current` is the master in use.
    /// Returns whether the call path should look for a new master before the next call.
    @discardableResult
    mutating func apply(_ event: SentinelEvent, current: KVEndpoint?, now: ContinuousClock.Instant) -> Bool {
        switch event.kind {
        case .failoverStarted(let candidate):
            guard event.master == current else { return false }
            if failover?.from != event.master { failover = Failover(from: event.master, since: now) }
            if let candidate { failover?.candidate = candidate }
            return false
        case .promoted(let candidate):
            guard event.master == current else { return false }
            if failover?.from != event.master { failover = Failover(from: event.master, since: now) }
            failover?.candidate = candidate
            failover?.promoted = true
            return true
        case .switched(let new):
            // A late announcement of an earlier failover (the leader announces at its end, seconds after the
            // promotion) names a master that may itself have been failed over since: only a switch away from
            // the master in use counts.
            guard event.master == current, new != current else { return false }
            announced = new
            return true
        case .aborted:
            guard event.master == current, failover?.from == event.master else { return false }
            failover = nil
            return true
        }
    }

    /// Whether writes must wait: a failover of the master in use started and has not ended (or lapsed).
    mutating func holdsWrites(current: KVEndpoint?, now: ContinuousClock.Instant) -> Bool {
        guard let failover else { return false }
        if failover.from != current || now - failover.since >= maxHold {
            self.failover = nil
            return false
        }
        return true
    }

    /// Takes in what the sentinels said when asked: a sentinel that reports a failover of the master in use
    /// holds writes (the backstop for missed announcements); when every sentinel answered and none reports
    /// one, a hold whose candidate was not announced as promoted ends (the failover was aborted).
    mutating func surveyed(failingOver: Set<KVEndpoint>, allAnswered: Bool, current: KVEndpoint?, now: ContinuousClock.Instant) {
        guard let current else { return }
        if failingOver.contains(current) {
            if failover?.from != current { failover = Failover(from: current, since: now) }
        } else if allAnswered, let held = failover, held.from == current, !held.promoted {
            failover = nil
        }
    }

    /// Whether the call path should check the master in use again before a write.
    func needsVerification(now: ContinuousClock.Instant) -> Bool {
        guard let verifiedAt else { return true }
        return now - verifiedAt >= verifyInterval
    }

    /// The masters to try, best first, given what the sentinels name now (`named`, in the order asked):
    /// the failover's candidate and an announced master first, then named masters the store did not leave
    /// (another than `current` first: sentinels never go back to a master they left, so a new name means the
    /// store is behind), `current`, and masters the store left last.
    func candidates(named: [KVEndpoint], current: KVEndpoint?, now: ContinuousClock.Instant) -> [KVEndpoint] {
        var ordered: [KVEndpoint] = []
        func add(_ endpoint: KVEndpoint?) {
            if let endpoint, !ordered.contains(endpoint) { ordered.append(endpoint) }
        }
        add(failover?.candidate)
        add(announced)
        let left = named.filter { isDemoted($0, now: now) }
        for endpoint in named where endpoint != current && !left.contains(endpoint) { add(endpoint) }
        add(current)
        left.forEach { add($0) }
        return ordered
    }

    func isDemoted(_ endpoint: KVEndpoint, now: ContinuousClock.Instant) -> Bool {
        demoted[endpoint].map { now - $0 < demotedMemory } ?? false
    }

    /// A check of the master in use starts now: the next is due an interval later, whatever its outcome.
    mutating func verifying(now: ContinuousClock.Instant) {
        verifiedAt = now
    }

    /// The store checked `master` (its `ROLE` says master) and uses it, replacing `previous`.
    mutating func adopted(_ master: KVEndpoint, replacing previous: KVEndpoint?, now: ContinuousClock.Instant) {
        if let previous, previous != master { demoted[previous] = now }
        demoted[master] = nil
        demoted = demoted.filter { now - $0.value < demotedMemory }
        if failover.map({ $0.from != master }) ?? false { failover = nil }
        if announced == master || announced == previous { announced = nil }
        verifiedAt = now
    }
}
