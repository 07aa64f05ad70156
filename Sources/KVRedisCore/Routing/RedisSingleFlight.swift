import Synchronization

/// One run of a piece of work at a time, its outcome shared: the first caller runs it, callers that come while
/// it runs wait for that outcome instead of running it again (a slot-map refresh, a Sentinel look for the
/// master). ``cancel(with:)`` at shutdown releases every waiter.
///
/// ```swift
/// let refreshes = RedisSingleFlight<Bool>()
/// let loaded = await refreshes.run { await loadSlotMap() }   // concurrent callers share one load
/// ```
package final class RedisSingleFlight<Outcome: Sendable>: Sendable {
    private struct State {
        var running = false
        var waiters: [CheckedContinuation<Outcome, Never>] = []
        var cancelled: Outcome?
        /// Runs finished so far, and the outcome of the last: a caller that decided to wait for a run that
        /// ended before it could queue takes that run's outcome.
        var finished = 0
        var last: Outcome?
    }

    private let state = Mutex(State())

    private enum FlightStep {
        case run
        /// Wait for the run under way, the one after `after` runs finished.
        case wait(after: Int)
        case skip(Outcome?)
    }

    package init() {}

    /// Whether a run is under way.
    package var isRunning: Bool { state.withLock { $0.running } }

    /// Callers waiting for the run under way.
    package var waiting: Int { state.withLock { $0.waiters.count } }

    /// Runs `work`, or, while another caller runs it, waits for that run's outcome (with `join` false, returns
    /// nil at once instead). After ``cancel(with:)``, returns its outcome without running anything.
    package func run(join: Bool = true, _ work: () async -> Outcome) async -> Outcome? {
        let step: FlightStep = state.withLock { state in
            if let cancelled = state.cancelled { return .skip(cancelled) }
            if state.running { return join ? .wait(after: state.finished) : .skip(nil) }
            state.running = true
            return .run
        }
        switch step {
        case .skip(let outcome):
            return outcome
        case .wait(let finished):
            return await withCheckedContinuation { (waiter: CheckedContinuation<Outcome, Never>) in
                let settled: Outcome? = state.withLock { state in
                    if let cancelled = state.cancelled { return cancelled }
                    if state.finished != finished { return state.last }
                    state.waiters.append(waiter)
                    return nil
                }
                if let settled { waiter.resume(returning: settled) }
            }
        case .run:
            let outcome = await work()
            let waiters = state.withLock { state in
                defer { state.waiters = [] }
                state.running = false
                state.finished += 1
                state.last = outcome
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: outcome) }
            return outcome
        }
    }

    /// Gives `outcome` to every waiter and to every later call. Idempotent (the first outcome stays).
    package func cancel(with outcome: Outcome) {
        let waiters = state.withLock { state in
            defer { state.waiters = [] }
            if state.cancelled == nil { state.cancelled = outcome }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }
}
