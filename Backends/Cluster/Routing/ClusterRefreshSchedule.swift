/// When the slot map may be loaded again: at most once per `minInterval`, or twice as often when forced (a node
/// failed). Refreshes are also single-flight (the store's `RedisSingleFlight`): callers that ask while one runs
/// share it.
struct ClusterRefreshSchedule: Equatable, Sendable {
    let minInterval: Duration
    private(set) var last: ContinuousClock.Instant?

    init(minInterval: Duration) {
        self.minInterval = minInterval
    }

    func isDue(force: Bool, now: ContinuousClock.Instant) -> Bool {
        guard let last else { return true }
        return now - last >= (force ? minInterval / 2 : minInterval)
    }

    mutating func refreshed(at now: ContinuousClock.Instant) {
        last = now
    }
}
