/// Which shards are up: the ring's membership state machine.
///
/// A pure value driven by outcomes (heartbeats and calls) and a clock passed in, so it is tested without
/// servers. `failureThreshold` consecutive failures take a shard down; one success brings it back. A down
/// shard is due for a probe every `probeInterval`.
struct RingMembership: Sendable, Equatable {
    struct Health: Sendable, Equatable {
        var up = true
        var failures = 0
        var lastError: String?
        var latency: Duration?
        /// When a down shard should next be probed.
        var nextProbe: ContinuousClock.Instant?
    }

    let failureThreshold: Int
    let probeInterval: Duration
    private(set) var health: [String: Health] = [:]
    /// How many shards are down, so the common case (none) costs one comparison.
    private(set) var downCount = 0

    init(shards: [String], failureThreshold: Int, probeInterval: Duration) {
        self.failureThreshold = max(1, failureThreshold)
        self.probeInterval = probeInterval
        for shard in shards { health[shard] = Health() }
    }

    func isUp(_ shard: String) -> Bool { health[shard]?.up ?? true }

    func failures(of shard: String) -> Int { health[shard]?.failures ?? 0 }

    mutating func add(_ shard: String) {
        if health[shard] == nil { health[shard] = Health() }
    }

    mutating func remove(_ shard: String) {
        if health.removeValue(forKey: shard)?.up == false { downCount -= 1 }
    }

    /// A failed heartbeat, probe or call. Returns `.down` when this failure takes the shard down.
    mutating func recordFailure(_ shard: String, error: String, at now: ContinuousClock.Instant) -> KVRingEvent? {
        guard var entry = health[shard] else { return nil }
        defer { health[shard] = entry }
        entry.failures += 1
        entry.lastError = error
        if !entry.up {
            entry.nextProbe = now + probeInterval
            return nil
        }
        guard entry.failures >= failureThreshold else { return nil }
        entry.up = false
        entry.nextProbe = now + probeInterval
        downCount += 1
        return .down(shard: shard, error: error)
    }

    /// A successful heartbeat, probe or call. Returns `.up` when it brings the shard back.
    mutating func recordSuccess(_ shard: String, latency: Duration?) -> KVRingEvent? {
        guard var entry = health[shard] else { return nil }
        defer { health[shard] = entry }
        entry.failures = 0
        if let latency { entry.latency = latency }
        guard !entry.up else { return nil }
        entry.up = true
        entry.nextProbe = nil
        downCount -= 1
        return .up(shard: shard)
    }

    /// The down shards whose probe is due, each handed out once per `probeInterval`.
    mutating func takeDueProbes(at now: ContinuousClock.Instant) -> [String] {
        guard downCount > 0 else { return [] }
        var due: [String] = []
        for (shard, entry) in health where !entry.up && (entry.nextProbe ?? now) <= now {
            health[shard]?.nextProbe = now + probeInterval
            due.append(shard)
        }
        return due.sorted()
    }
}
