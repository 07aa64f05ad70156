/// The engine's one back-off between retries of a call: exponential from ``first`` up to ``cap``, each wait
/// jittered between half of its step and the whole step, so that callers that failed together do not retry
/// together.
///
/// ```swift
/// var backOff = RedisBackOff()
/// try await Task.sleep(for: backOff.next())   // 10–20 ms, then 20–40 ms, … at most 500 ms
/// ```
package struct RedisBackOff: Sendable, Equatable {
    package let first: Duration
    package let cap: Duration
    /// Waits given so far.
    package private(set) var attempts = 0

    package init(first: Duration = .milliseconds(20), cap: Duration = .milliseconds(500)) {
        self.first = first
        self.cap = cap
    }

    /// The step of the next wait: `first`, doubled per wait given, at most `cap`.
    package var step: Duration {
        min(cap, first * (1 << min(attempts, 20)))
    }

    /// The next wait: `jitter` (0…1) places it between half of ``step`` and the whole step.
    package mutating func next(jitter: Double = .random(in: 0...1)) -> Duration {
        let step = self.step
        attempts += 1
        return step / 2 + step / 2 * min(1, max(0, jitter))
    }
}
