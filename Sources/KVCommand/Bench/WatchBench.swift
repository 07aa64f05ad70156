#if Redis
import KV
import KVRedis
import Synchronization

/// Watch rows on one node, a feed consumed in a child task while the store writes:
/// - `watch-signal-after-ack`: one write at a time, each waiting for its `changed` event. p50/p99 are the time from
///   the write's acknowledgement to the event reaching the consumer (0 when it came first); ops/s are write-and-
///   signal cycles, beside plain sequential writes in interleaved rounds.
/// - `watch-changes-pipelined`: a pipelined writer flat out (batches of 1,000 new keys); ops/s are the changes the
///   feed delivered per second until the last one arrived, beside the writer's own rate. A `resync` (the feed could
///   not keep up) is reported.
enum WatchBench {
    static func rows(store: KVRedisStore, backend: String, count: Int, progress: (String) -> Void) async throws -> [BenchRow] {
        let prefix = "kvbench:watch:\(UInt32.random(in: 0...UInt32.max)):"
        let value = [UInt8](repeating: 0x77, count: 100)
        let (arrivals, arrived) = AsyncStream<(key: String, at: ContinuousClock.Instant)>.makeStream()
        let (readies, ready) = AsyncStream<Void>.makeStream()
        let tally = Tally()
        let pipelinedPrefix = prefix + "b"
        let feed = store.watch(prefix: prefix)
        let rows = try await withThrowingTaskGroup(of: Void.self) { group -> [BenchRow] in
            group.addTask {
                // When the feed ends (an error, or cancellation), so do the waits on what it sends.
                defer {
                    ready.finish()
                    arrived.finish()
                }
                for try await event in feed {
                    switch event {
                    case .ready: ready.yield()
                    case .changed(let key):
                        if key.hasPrefix(pipelinedPrefix) { tally.delivered.add(1, ordering: .relaxed) } else { arrived.yield((key, .now)) }
                    case .resync:
                        tally.resyncs.add(1, ordering: .relaxed)
                        arrived.yield(("", .now))  // a signal awaited now may have been missed
                    }
                }
            }
            defer { group.cancelAll() }
            progress("watch: waiting for the feed to be ready")
            var readyEvents = readies.makeAsyncIterator()
            guard await readyEvents.next() != nil else {
                try await group.next()  // the feed's error
                throw KVError(.unavailable, "the watch feed ended before it was ready", node: store.node)
            }

            // Write-and-signal cycles beside plain writes, in interleaved rounds.
            let perRound = max(1, min(count, 8_000) / 4)
            var signalRounds: [BenchMeasurement] = [], plainRounds: [BenchMeasurement] = []
            var events = arrivals.makeAsyncIterator()
            for round in 0..<4 {
                progress("watch-signal-after-ack, round \(round + 1) of 4")
                var latencies: [Int64] = []
                latencies.reserveCapacity(perRound)
                let clock = ContinuousClock()
                let start = clock.now
                for i in 0..<perRound {
                    let key = prefix + "s\(round):\(i)"
                    try await store.set(key, value, options: .default)
                    let acked = clock.now
                    // Events of the plain writes of earlier rounds may come first: they are skipped.
                    while true {
                        guard let event = await events.next() else {
                            try await group.next()  // the feed's error
                            throw KVError(.unavailable, "the watch feed ended during the signal rounds", node: store.node)
                        }
                        if event.key.isEmpty { throw KVError(.unavailable, "the watch feed resynced during the signal rounds", node: store.node) }
                        guard event.key == key else { continue }
                        latencies.append(max(0, (event.at - acked).nanoseconds))
                        break
                    }
                }
                signalRounds.append(BenchMeasurement(operations: perRound, elapsed: clock.now - start, latencies: latencies.sorted()))
                plainRounds.append(try await BenchMeasurement.sequential(perRound) { i in
                    try await store.set(prefix + "p\(round):\(i)", value, options: .default)
                })
            }

            // A pipelined writer flat out; the feed's delivery rate beside it.
            let total = max(1_000, min(count, 100_000) / 1_000 * 1_000)
            progress("watch-changes-pipelined: \(total) writes")
            let resyncsBefore = tally.resyncs.load(ordering: .relaxed)
            let clock = ContinuousClock()
            let start = clock.now
            for chunk in stride(from: 0, to: total, by: 1_000) {
                try await store.batchSet((chunk..<chunk + 1_000).map { KVEntry(prefix + "b\($0)", value) }, options: .default)
            }
            let written = clock.now - start
            let deadline = clock.now + .seconds(30)
            while tally.delivered.load(ordering: .relaxed) < total, tally.resyncs.load(ordering: .relaxed) == resyncsBefore, clock.now < deadline {
                try await Task.sleep(for: .microseconds(200))
            }
            let deliveredChanges = tally.delivered.load(ordering: .relaxed)
            let lost = tally.resyncs.load(ordering: .relaxed) - resyncsBefore
            progress("watch-changes-pipelined: \(deliveredChanges) of \(total) changes delivered, \(lost) resyncs")
            let pipelined = BenchMeasurement(operations: deliveredChanges, elapsed: clock.now - start, latencies: [])
            let writer = BenchMeasurement(operations: total, elapsed: written, latencies: [])
            return [
                BenchRow("watch-signal-after-ack", backend: backend, .combined(signalRounds))
                    .compared(with: "unwatched-set", opsPerSecond: BenchMeasurement.combined(plainRounds).opsPerSecond),
                BenchRow(lost == 0 ? "watch-changes-pipelined" : "watch-changes-pipelined (resynced)", backend: backend, pipelined)
                    .compared(with: "writer", opsPerSecond: writer.opsPerSecond),
            ]
        }
        var keys: [String] = []
        for try await key in store.list(prefix: prefix) { keys.append(key) }
        _ = try await store.batchDelete(keys)
        return rows
    }

    /// What the consumer counted: changes of the pipelined writer's keys, and resyncs.
    final class Tally: Sendable {
        let delivered = Atomic<Int>(0)
        let resyncs = Atomic<Int>(0)
    }
}
#endif
