import KVCore
import Synchronization
import Testing

@testable import KVRedisCore

/// The engine's shared routing parts: back-off, single-flight, the hash-tag rule, the relabel rule and the
/// retry policy's table. No server.
@Suite struct RedisRoutingPartsTests {
    @Test func backOffDoublesFromItsFirstStepUpToItsCapWithJitterInTheUpperHalf() {
        var backOff = RedisBackOff(first: .milliseconds(20), cap: .milliseconds(100))
        #expect(backOff.next(jitter: 0) == .milliseconds(10))
        #expect(backOff.next(jitter: 1) == .milliseconds(40))
        #expect(backOff.next(jitter: 0.5) == .milliseconds(60))
        #expect(backOff.next(jitter: 1) == .milliseconds(100), "capped")
        #expect(backOff.next(jitter: 7) == .milliseconds(100), "jitter is clamped to 0…1")
        #expect(backOff.attempts == 5)
        for _ in 0..<100 {
            let delay = backOff.next()
            #expect(delay >= .milliseconds(50) && delay <= .milliseconds(100))
        }
    }

    @Test func singleFlightRunsOnceForConcurrentCallers() async {
        let flight = RedisSingleFlight<Int>()
        let runs = RunCount()
        let (gate, opened) = AsyncStream<Void>.makeStream()
        let outcomes = await withTaskGroup(of: Int?.self) { group in
            group.addTask {
                await flight.run {
                    runs.add()
                    for await _ in gate { break }
                    return 42
                }
            }
            // Let the first caller start its run, then add callers that must join it.
            #expect(await Self.eventually { flight.isRunning })
            for _ in 0..<20 {
                group.addTask { await flight.run { runs.add(); return 7 } }
            }
            #expect(await Self.eventually { flight.waiting == 20 }, "every joining caller waits for the run")
            let skipped = await flight.run(join: false) { runs.add(); return 9 }
            #expect(skipped == nil, "a caller that does not join gets nil")
            opened.yield()
            opened.finish()
            var outcomes: [Int?] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(runs.value == 1, "one run for every caller")
        #expect(outcomes.filter { $0 == 42 }.count == 21)
        #expect(outcomes.count == 21)
        #expect(await flight.run { 5 } == 5, "a later call runs anew")
    }

    @Test func singleFlightCancelReleasesWaitersAndLaterCalls() async {
        let flight = RedisSingleFlight<String>()
        let (gate, opened) = AsyncStream<Void>.makeStream()
        async let first = flight.run {
            for await _ in gate { break }
            return "ran"
        }
        #expect(await Self.eventually { flight.isRunning })
        async let waiter = flight.run { "second" }
        #expect(await Self.eventually { flight.waiting == 1 })
        flight.cancel(with: "shut down")
        #expect(await waiter == "shut down")
        #expect(await flight.run { "never" } == "shut down")
        opened.finish()
        #expect(await first == "ran")
    }

    /// Whether `condition` holds within 5 s, checked as often as the task gets to run.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }

    @Test func hashTagIsTheFirstNonEmptyBraces() {
        func tag(_ key: String) -> String { String(decoding: RedisHashTag.cluster(key), as: UTF8.self) }
        #expect(tag("{user1000}.following") == "user1000")
        #expect(tag("foo{}{bar}") == "foo{}{bar}", "an empty first tag means the whole key")
        #expect(tag("foo{{bar}}zap") == "{bar")
        #expect(tag("foo{bar}{zap}") == "bar")
        #expect(tag("no-tag") == "no-tag")
        #expect(tag("open{only") == "open{only")
    }

    @Test func relabelKeepsTheKeyAndNamesTheNodeButNotForShutdown() {
        let error = KVError(.timeout, "slow", node: "127.0.0.1:6379")
        #expect(error.relabeled(key: "k", node: "shard-a").key == "k")
        #expect(error.relabeled(key: "k", node: "shard-a").node == "shard-a")
        #expect(KVError(.timeout, "slow", key: "first").keyed("second").key == "first")
        #expect(KVError.shutdown(node: "ring").relabeled(node: "shard-a").node == "ring")
    }

    @Test func retryPolicyTable() {
        func decide(_ code: KVError.Code, run: Bool, _ safety: RedisCommandSafety) -> RedisRetryPolicy.Decision {
            RedisRetryPolicy.decide(RedisFailure(KVError(code, "x"), mayHaveRun: run), safety: safety)
        }
        for safety in [RedisCommandSafety.read, .idempotentWrite, .unsafe] {
            #expect(decide(.connectionFailed, run: false, safety) == .retry, "nothing written: retried")
            if case .surface(let error) = decide(.timeout, run: true, safety) { #expect(error.code == .timeout) } else { Issue.record("timeouts are surfaced") }
            if case .surface = decide(.authenticationFailed, run: true, safety) {} else { Issue.record("authentication failures are surfaced") }
        }
        #expect(decide(.connectionFailed, run: true, .read) == .retry)
        #expect(decide(.connectionFailed, run: true, .idempotentWrite) == .retry)
        if case .surface(let error) = decide(.connectionFailed, run: true, .unsafe) { #expect(error.code == .outcomeUnknown) } else { Issue.record("unknown outcome") }
        #expect(RedisCommandSafety(RedisCommand("SET", "k", "v")) == .idempotentWrite)
        #expect(RedisCommandSafety(RedisCommand("SET", "k", "v", "NX")) == .unsafe)
        #expect(RedisCommandSafety([RedisCommand("GET", "k"), RedisCommand("DEL", "k")]) == .unsafe)
        #expect(RedisRetryPolicy.refusedByNodeState(KVError(.serverError, "READONLY You can't write against a read only replica.")))
        #expect(!RedisRetryPolicy.refusedByNodeState(KVError(.serverError, "WRONGTYPE Operation")))
    }
}

/// Runs counted across tasks.
private final class RunCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
