#if Redis
import CHiredisBaseline
import KV
import KVRedisCore
import KVRedisConfiguration
#if Redis
import KVRedis
#endif

/// Redis rows, each beside raw-C hiredis and `redis-benchmark`, measured in the same run.
enum RedisBench {
    static func rows(store: KVRedisStore, count: Int, compare: (any KVStore)? = nil, progress: (String) -> Void) async throws -> [BenchRow] {
        if store.options.node.nearCache != nil {
            // The usual rows on the same server without the cache, then the near-cache rows beside them.
            var options = store.options
            options.node.nearCache = nil
            let uncached = KVRedisStore(options: options)
            let rows = try await Self.rows(store: uncached, count: count, compare: compare, progress: progress)
            let backend = rows.first?.backend ?? "redis"
            let near = try await NearCacheBench.rows(cached: store, uncached: uncached, backend: backend, count: count, progress: progress)
            await uncached.shutdown()
            return rows + near
        }
        let connection = store.client.options.connection
        let endpoint = connection.endpoint
        let database = Int32(connection.settings.database)
        // The raw-C loops speak plaintext hiredis, over TCP or the Unix socket; over TLS they have no reference.
        let backend = connection.settings.tls != nil ? "redis-tls" : (connection.unixSocketPath != nil ? "redis-unix" : "redis")
        let cHost: String? = connection.settings.tls != nil ? nil : (connection.unixSocketPath ?? endpoint.host)
        let value = [UInt8](repeating: 0x78, count: 100)
        let prefix = "kvbench:"
        let keys = (0..<count).map { "\(prefix)\($0)" }
        var rows: [BenchRow] = []

        // A batch of 100,000 takes about 0.1 s, so one run is mostly noise on a shared machine: the Swift batch and
        // the C loop run in 3 interleaved rounds each, and each row is their total.
        let entries = keys.map { KVEntry($0, value) }
        var swiftBatches: [BenchMeasurement] = [], cSeconds = 0.0
        for round in 0..<3 {
            progress("set-pipelined, round \(round + 1) of 3")
            swiftBatches.append(try await BenchMeasurement.batch(count) { try await store.batchSet(entries, options: .default) })
            if let cHost { cSeconds += await onOwnThread { kv_baseline_set_pipelined(cHost, Int32(endpoint.port), database, prefix, Int32(count), 1000, 100) } }
        }
        let setPipelined = BenchMeasurement.combined(swiftBatches)
        let cSetSeconds = cSeconds / 3
        let benchPipelined = await RedisBenchmarkTool.run(connection, clients: 1, pipeline: 1000, count: count, tests: ["SET"])
        rows.append(
            BenchRow("set-pipelined", backend: backend, setPipelined)
                .compared(with: "hiredis-c", opsPerSecond: cSetSeconds > 0 ? Double(count) / cSetSeconds : nil, target: 0.9)
                .compared(with: "redis-benchmark", opsPerSecond: benchPipelined?["SET"]))

        // Sequential rows are dominated by round-trip latency, which drifts on a shared machine: the Swift,
        // affine and C loops run in interleaved rounds so that each sees the same conditions.
        let rounds = 4
        let perRound = max(1, count / rounds)
        var swiftRounds: [BenchMeasurement] = [], affineRounds: [BenchMeasurement] = [], cRounds: [BenchMeasurement] = []
        for round in 0..<rounds {
            progress("get-sequential, round \(round + 1) of \(rounds)")
            let offset = round * perRound
            swiftRounds.append(try await BenchMeasurement.sequential(perRound) { i in _ = try await store.get(keys[offset + i]) })
            affineRounds.append(try await store.withAffinity {
                try await BenchMeasurement.sequential(perRound) { i in _ = try await store.get(keys[offset + i]) }
            })
            var seconds = -1.0
            if let cHost { seconds = await onOwnThread { kv_baseline_get_sequential(cHost, Int32(endpoint.port), database, prefix, Int32(perRound), nil) } }
            if seconds > 0 { cRounds.append(BenchMeasurement(operations: perRound, elapsed: .nanoseconds(Int64(seconds * 1e9)), latencies: [])) }
        }
        let cGet = cRounds.isEmpty ? nil : BenchMeasurement.combined(cRounds).opsPerSecond
        let benchSequential = await RedisBenchmarkTool.run(connection, clients: 1, pipeline: 1, count: count, tests: ["GET"])
        rows.append(
            BenchRow("get-sequential", backend: backend, .combined(swiftRounds))
                .compared(with: "hiredis-c", opsPerSecond: cGet, target: 0.85)
                .compared(with: "redis-benchmark", opsPerSecond: benchSequential?["GET"]))
        rows.append(
            BenchRow("get-sequential-affine", backend: backend, .combined(affineRounds))
                .compared(with: "hiredis-c", opsPerSecond: cGet, target: 0.95)
                .compared(with: "redis-benchmark", opsPerSecond: benchSequential?["GET"]))
        // What get-sequential pays besides the round trip, with no I/O: a hand-off to a thread and back.
        progress("thread-handoff")
        rows.append(BenchRow("thread-handoff", backend: "swift", try await ThreadHandoff.measure(min(count, 20_000))))

        let bench64 = await RedisBenchmarkTool.run(connection, clients: 64, pipeline: 1, count: count, tests: ["GET", "SET"])
        progress("get-concurrent-64")
        let getConcurrent = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.get(keys[i % keys.count]) }
        progress("set-concurrent-64")
        let setConcurrent = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.set(keys[i % keys.count], value, options: .default) }
        var getRow = BenchRow("get-concurrent-64", backend: backend, getConcurrent)
            .compared(with: "redis-benchmark", opsPerSecond: bench64?["GET"], target: connection.settings.tls == nil ? 3.3 : 3.0)
        var setRow = BenchRow("set-concurrent-64", backend: backend, setConcurrent)
            .compared(with: "redis-benchmark", opsPerSecond: bench64?["SET"], target: connection.settings.tls == nil ? 3.3 : nil)
        if let compare {
            // The same workloads on the other store, in the same run: over TLS the plaintext row is the reference.
            progress("get/set-concurrent-64 on the compared store")
            try await compare.batchSet(entries)
            let compareGet = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await compare.get(keys[i % keys.count]) }
            let compareSet = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await compare.set(keys[i % keys.count], value, options: .default) }
            _ = try await compare.batchDelete(keys)
            let name = "compared store"
            getRow = getRow.compared(with: name, opsPerSecond: compareGet.opsPerSecond, target: connection.settings.tls == nil ? nil : 0.75)
            setRow = setRow.compared(with: name, opsPerSecond: compareSet.opsPerSecond)
        }
        rows.append(getRow)
        rows.append(setRow)

        // Atomic operations: INCRBY, and the compare-and-set script (each call here succeeds: GET, compare, SET).
        let counters = (0..<1000).map { "\(prefix)counter:\($0)" }
        progress("incr-sequential")
        let incrSequential = try await BenchMeasurement.sequential(count) { i in _ = try await store.increment(counters[i % counters.count]) }
        let benchIncr1 = await RedisBenchmarkTool.run(connection, clients: 1, pipeline: 1, count: count, tests: ["INCR"])
        rows.append(BenchRow("incr-sequential", backend: backend, incrSequential).compared(with: "redis-benchmark", opsPerSecond: benchIncr1?["INCR"]))
        progress("incr-concurrent-64")
        let incrConcurrent = try await BenchMeasurement.concurrent(tasks: 64, count) { i in _ = try await store.increment(counters[i % counters.count]) }
        progress("cas-concurrent-64")
        let casConcurrent = try await BenchMeasurement.concurrent(tasks: 64, count) { i in
            _ = try await store.compareAndSet(keys[i % keys.count], expected: value, new: value)
        }
        let benchAtomic64 = await RedisBenchmarkTool.run(connection, clients: 64, pipeline: 1, count: count, tests: ["INCR", "CAS"])
        rows.append(BenchRow("incr-concurrent-64", backend: backend, incrConcurrent).compared(with: "redis-benchmark", opsPerSecond: benchAtomic64?["INCR"], target: 3.0))
        rows.append(BenchRow("cas-concurrent-64", backend: backend, casConcurrent).compared(with: "redis-benchmark", opsPerSecond: benchAtomic64?["CAS"]))
        progress("getOrLoad-hit")
        rows.append(try await CacheAsideBench.row(store: store, backend: backend, count: count))
        rows += try await WatchBench.rows(store: store, backend: backend, count: count, progress: progress)

        progress("cleanup")
        _ = try await store.batchDelete(keys + counters)
        try await RedisBenchmarkTool.cleanUp(store)
        return rows
    }
}
#endif
