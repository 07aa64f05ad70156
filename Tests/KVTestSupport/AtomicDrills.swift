import Foundation
public import KVCore

/// Contended read-modify-write and locking, the same on every store.
public enum AtomicDrills {
    /// `tasks` × `rounds` `KVClient.update` increments of one counter; returns the final count and the time taken.
    public static func updateCounter(_ store: any KVStore, key: String, tasks: Int = 64, rounds: Int = 500) async throws -> (count: Int, seconds: Double) {
        struct Counter: Codable { var value: Int }
        let client = KVClient(store: store)
        let retry = KVUpdateRetry(maxAttempts: 100_000)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    for _ in 0..<rounds {
                        try await client.update(Counter.self, for: key, retry: retry) { counter in
                            counter = Counter(value: (counter?.value ?? 0) + 1)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let count = try await client.get(Counter.self, for: key)?.value ?? 0
        return (count, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    public struct LockReport: Sendable, CustomStringConvertible {
        /// Times a holder found another holder inside: must be 0.
        public var overlaps = 0
        public var acquisitions = 0
        /// Tokens in the order their holders got the lock; must strictly increase.
        public var tokens: [Int64] = []
        public var description: String { "\(acquisitions) acquisitions, \(overlaps) overlaps, tokens \(tokens.prefix(5))…" }
        public var tokensIncrease: Bool { zip(tokens, tokens.dropFirst()).allSatisfy { $0 < $1 } }
    }

    /// `tasks` tasks each take the lock `rounds` times and check, with an in-process counter, that nobody else holds it.
    public static func contendForLock(_ store: any KVStore, name: String, tasks: Int = 32, rounds: Int = 5) async throws -> LockReport {
        let inside = Locked(0)
        let report = Locked(LockReport())
        let lock = KVLock(name: name, store: store, ttl: .seconds(10))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    for _ in 0..<rounds {
                        try await lock.withLock(timeout: .seconds(60)) { lease in
                            let holders = inside.withLock { $0 += 1; return $0 }
                            report.withLock { report in
                                report.acquisitions += 1
                                report.tokens.append(lease.fencingToken)
                                if holders != 1 { report.overlaps += 1 }
                            }
                            try await Task.sleep(for: .microseconds(200))
                            inside.withLock { $0 -= 1 }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return report.value
    }

    /// Both drills on `store`, as every backend's tests run them: the problems found (empty when none), and a
    /// line to print with the time the updates took.
    public static func problems(_ store: any KVStore, name: String) async throws -> [String] {
        for prefix in ["atomic:", "kvlock:"] { _ = try await store.batchDelete(try await store.list(prefix: prefix).collect()) }
        var problems: [String] = []
        let (count, seconds) = try await updateCounter(store, key: "atomic:counter")
        if count != 32_000 { problems.append("64 × 500 updates left \(count), not 32000") }
        print("\(name): 64 × 500 updates of one key in \(seconds) s")
        let report = try await contendForLock(store, name: "atomic:lock")
        if report.overlaps != 0 || report.acquisitions != 160 || !report.tokensIncrease { problems.append("lock: \(report)") }
        return problems
    }
}
