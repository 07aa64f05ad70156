/// Timings of one workload: how many operations, how long in all, and each operation's latency.
struct BenchMeasurement: Sendable {
    var operations: Int
    var elapsed: Duration
    /// Per-operation latencies in nanoseconds, sorted; empty for a single timed batch.
    var latencies: [Int64]

    var opsPerSecond: Double { Double(operations) / elapsed.seconds }

    func percentile(_ p: Double) -> Duration? {
        guard !latencies.isEmpty else { return nil }
        let index = min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)
        return .nanoseconds(latencies[max(0, index)])
    }

    /// Runs `operation` `count` times in one task, timing each.
    static func sequential(_ count: Int, _ operation: (Int) async throws -> Void) async throws -> BenchMeasurement {
        var latencies = [Int64](repeating: 0, count: count)
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<count {
            let before = clock.now
            try await operation(i)
            latencies[i] = (clock.now - before).nanoseconds
        }
        let elapsed = clock.now - start
        latencies.sort()
        return BenchMeasurement(operations: count, elapsed: elapsed, latencies: latencies)
    }

    /// Runs `count` operations spread over `tasks` concurrent tasks, timing each.
    static func concurrent(tasks: Int, _ count: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> BenchMeasurement {
        let perTask = max(1, count / tasks)
        let clock = ContinuousClock()
        let start = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var own = [Int64](repeating: 0, count: perTask)
                    for i in 0..<perTask {
                        let before = clock.now
                        try await operation(task * perTask + i)
                        own[i] = (clock.now - before).nanoseconds
                    }
                    return own
                }
            }
            var all: [Int64] = []
            all.reserveCapacity(perTask * tasks)
            for try await own in group { all.append(contentsOf: own) }
            return all
        }
        let elapsed = clock.now - start
        return BenchMeasurement(operations: perTask * tasks, elapsed: elapsed, latencies: latencies.sorted())
    }

    /// Several rounds of one workload as one measurement: operations and time added up, latencies pooled.
    static func combined(_ rounds: [BenchMeasurement]) -> BenchMeasurement {
        BenchMeasurement(
            operations: rounds.map(\.operations).reduce(0, +),
            elapsed: rounds.map(\.elapsed).reduce(.zero, +),
            latencies: rounds.flatMap(\.latencies).sorted())
    }

    /// Times one call that performs `count` operations (a batch).
    static func batch(_ count: Int, _ operation: () async throws -> Void) async throws -> BenchMeasurement {
        let clock = ContinuousClock()
        let start = clock.now
        try await operation()
        return BenchMeasurement(operations: count, elapsed: clock.now - start, latencies: [])
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
    var microseconds: Double { seconds * 1e6 }
}
