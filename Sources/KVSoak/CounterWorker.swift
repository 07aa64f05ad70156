import KVCore

/// One task of the counters workload: increments counters shared by every task, and keeps, per counter, the
/// sum of its acknowledged increments and the number whose outcome it cannot know.
struct CounterWorker {
    let store: any KVStore
    let configuration: KVSoakRunner.Configuration
    let shared: SharedCounts
    /// Per counter: the increments acknowledged, and those that may or may not have happened.
    var acknowledged: [Int64]
    var unknown: [Int64]

    init(store: any KVStore, configuration: KVSoakRunner.Configuration, shared: SharedCounts) {
        self.store = store
        self.configuration = configuration
        self.shared = shared
        acknowledged = Array(repeating: 0, count: configuration.keys)
        unknown = Array(repeating: 0, count: configuration.keys)
    }

    mutating func run(until deadline: ContinuousClock.Instant) async {
        while ContinuousClock.now < deadline && !Task.isCancelled {
            let index = Int.random(in: 0..<configuration.keys)
            var delta = KVSoakReport()
            let succeeded: Bool
            do {
                _ = try await store.increment(KVSoakRunner.counterKey(configuration.keyPrefix, index: index), by: 1, ttlIfCreated: nil)
                acknowledged[index] += 1
                delta.writes = 1
                succeeded = true
            } catch {
                // A timeout, a broken connection after sending, or a write that ran but was not confirmed by
                // replicas (`unavailable` with waitReplicas) may have counted. Every other error did not.
                if [.outcomeUnknown, .timeout, .unavailable].contains(error.code) { unknown[index] += 1 }
                delta.errors[error.code.description] = 1
                succeeded = false
                if error.code == .shutdown { return }
                try? await Task.sleep(for: .milliseconds(10))
            }
            shared.add(delta, succeeded: succeeded, now: ContinuousClock.now)
        }
    }
}

/// The verdict of the counters workload: for every counter, acknowledged ≤ final ≤ acknowledged + unknown.
public struct KVSoakCounterReport: Codable, Sendable, Equatable {
    public var counters = 0
    /// Increments acknowledged to the caller, over all counters.
    public var acknowledged: Int64 = 0
    /// Increments whose outcome was unknown (`outcomeUnknown`, `timeout`, `unavailable`).
    public var unknown: Int64 = 0
    /// The counters' final values, summed.
    public var final: Int64 = 0
    /// Acknowledged increments missing from the final values: must be 0.
    public var lost: Int64 = 0
    /// Increments beyond acknowledged + unknown (a retry counted twice): must be 0.
    public var duplicated: Int64 = 0
    /// Counters that could not be read at the end.
    public var unreadable = 0

    public init() {}

    /// Checks one counter's final value against what was acknowledged and what was in doubt.
    mutating func check(final value: Int64, acknowledged: Int64, unknown: Int64) {
        counters += 1
        self.acknowledged += acknowledged
        self.unknown += unknown
        final += value
        lost += max(0, acknowledged - value)
        duplicated += max(0, value - acknowledged - unknown)
    }
}
