import Foundation
public import KVCore
import Synchronization

/// A verified load on any store, for fault drills. The read/write workload checks every read against what its
/// own task wrote, so a reply handed to the wrong caller shows up as `corrupt`. The counters workload increments
/// shared counters and checks at the end that no acknowledged increment was lost and none counted twice.
///
/// ```swift
/// let report = await KVSoakRunner(store: store, configuration: .init(duration: .seconds(10))).run()
/// assert(report.corrupt == 0)
/// ```
public struct KVSoakRunner: Sendable {
    /// What the tasks do.
    public enum Workload: String, Sendable, Codable, CaseIterable {
        /// Versioned writes and checked reads, each task on keys of its own.
        case readWrite = "read-write"
        /// Increments of shared counters (`keys` of them), checked at the end.
        case counters
        /// `tasks` callers of `KVClient.getOrLoad` on one missing key at once; the loader counts its runs in
        /// the store, so that processes run side by side (with `lease`) show how many loaded.
        case stampede
        /// A writer on a store of its own and `tasks` readers through the store under test, on `keys` shared keys:
        /// how stale can a read be after another client's acknowledged write (docs/near-cache.md).
        case staleness
    }

    public struct Configuration: Sendable {
        public var workload: Workload
        public var duration: Duration
        public var tasks: Int
        /// Keys per task.
        public var keys: Int
        /// Bytes per value (at least the key and version).
        public var valueSize: Int
        /// Prefix of every key, so runs do not meet (processes of one stampede share it).
        public var keyPrefix: String
        /// Stampede: how long the loader takes.
        public var loadTime: Duration
        /// Stampede: one load across processes with a `KVCacheLease` (its TTL the load time plus 1 s).
        public var lease: Bool

        public init(
            workload: Workload = .readWrite, duration: Duration = .seconds(10), tasks: Int = 16, keys: Int = 100, valueSize: Int = 64,
            keyPrefix: String? = nil, loadTime: Duration = .milliseconds(500), lease: Bool = false
        ) {
            self.loadTime = loadTime
            self.lease = lease
            self.workload = workload
            self.duration = duration
            self.tasks = tasks
            self.keys = keys
            self.valueSize = valueSize
            self.keyPrefix = keyPrefix ?? "soak:\(UInt32.random(in: 0...UInt32.max)):"
        }
    }

    public let store: any KVStore
    public let configuration: Configuration
    /// The staleness workload's writer: another client of the same data (default: ``store``).
    public let writer: (any KVStore)?

    /// Every key the soak writes, e.g. to clean up afterwards.
    public var keys: [String] {
        if configuration.workload == .stampede { return [StampedeWorkload.valueKey(configuration.keyPrefix), StampedeWorkload.loadsKey(configuration.keyPrefix)] }
        if configuration.workload == .staleness { return (0..<configuration.keys).map { StalenessWorkload.key(configuration.keyPrefix, index: $0) } }
        if configuration.workload == .counters { return (0..<configuration.keys).map { KVSoakRunner.counterKey(configuration.keyPrefix, index: $0) } }
        return (0..<configuration.tasks).flatMap { task in (0..<configuration.keys).map { KVSoakRunner.key(configuration.keyPrefix, task: task, index: $0) } }
    }

    static func key(_ prefix: String, task: Int, index: Int) -> String { "\(prefix)\(task):\(index)" }
    static func counterKey(_ prefix: String, index: Int) -> String { "\(prefix)counter:\(index)" }

    public init(store: any KVStore, configuration: Configuration, writer: (any KVStore)? = nil) {
        self.store = store
        self.configuration = configuration
        self.writer = writer
    }

    /// Runs the load; `onSecond` is called about once a second with the counts so far.
    public func run(onSecond: @escaping @Sendable (KVSoakReport) -> Void = { _ in }) async -> KVSoakReport {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + configuration.duration
        let shared = SharedCounts(start: start)
        let tasks = configuration.tasks
        let (store, configuration, writer) = (self.store, self.configuration, self.writer ?? self.store)
        await withTaskGroup(of: Void.self) { ticking in
            // The ticker is a child task too, cancelled as soon as the workers are done.
            ticking.addTask {
                while !Task.isCancelled && clock.now < deadline {
                    try? await Task.sleep(for: .seconds(1))
                    if !Task.isCancelled { onSecond(shared.snapshot(now: clock.now)) }
                }
            }
            switch configuration.workload {
            case .readWrite:
                await withTaskGroup(of: Void.self) { group in
                    for task in 0..<tasks {
                        group.addTask {
                            var worker = SoakWorker(store: store, configuration: configuration, task: task, shared: shared)
                            await worker.run(until: deadline)
                        }
                    }
                }
            case .counters:
                let workers = await withTaskGroup(of: CounterWorker.self) { group in
                    for _ in 0..<tasks {
                        group.addTask {
                            var worker = CounterWorker(store: store, configuration: configuration, shared: shared)
                            await worker.run(until: deadline)
                            return worker
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                shared.setCounters(await Self.checkCounters(store: store, configuration: configuration, workers: workers))
            case .stampede:
                shared.setStampede(await StampedeWorkload(store: store, configuration: configuration).run(shared: shared))
            case .staleness:
                shared.setStaleness(await StalenessWorkload(reader: store, writer: writer, configuration: configuration).run(until: deadline))
            }
            ticking.cancelAll()
        }
        return shared.snapshot(now: clock.now)
    }

    /// Reads every counter (retrying for up to 30 s while the store recovers) and checks it.
    static func checkCounters(store: any KVStore, configuration: Configuration, workers: [CounterWorker]) async -> KVSoakCounterReport {
        var report = KVSoakCounterReport()
        for index in 0..<configuration.keys {
            let acknowledged = workers.reduce(0) { $0 + $1.acknowledged[index] }
            let unknown = workers.reduce(0) { $0 + $1.unknown[index] }
            let key = counterKey(configuration.keyPrefix, index: index)
            let deadline = ContinuousClock.now + .seconds(30)
            var value: Int64?
            while value == nil && ContinuousClock.now < deadline {
                do {
                    let bytes = try await store.get(key)
                    value = bytes.map { KVAtomic.parseInteger($0) ?? -1 } ?? 0
                } catch {
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            if let value { report.check(final: value, acknowledged: acknowledged, unknown: unknown) } else { report.unreadable += 1 }
        }
        return report
    }
}

/// Counts shared by the soak tasks, and the time of the last success for `maxGapMs`.
final class SharedCounts: Sendable {
    private struct State {
        var report = KVSoakReport()
        var lastSuccess: ContinuousClock.Instant
        var maxGap = Duration.zero
    }

    private let start: ContinuousClock.Instant
    private let state: Mutex<State>

    init(start: ContinuousClock.Instant) {
        self.start = start
        state = Mutex(State(lastSuccess: start))
    }

    /// Adds one operation's counts; `now` is when it finished.
    func add(_ delta: KVSoakReport, succeeded: Bool, now: ContinuousClock.Instant) {
        state.withLock { state in
            state.report.merge(delta)
            if succeeded {
                state.maxGap = max(state.maxGap, now - state.lastSuccess)
                state.lastSuccess = now
            }
        }
    }

    func setCounters(_ counters: KVSoakCounterReport) {
        state.withLock { $0.report.counters = counters }
    }

    func setStampede(_ stampede: KVSoakStampedeReport) {
        state.withLock { $0.report.stampede = stampede }
    }

    func setStaleness(_ staleness: KVSoakStalenessReport) {
        state.withLock { state in
            state.report.staleness = staleness
            state.report.writes = staleness.writes
            state.lastSuccess = .now
        }
    }

    func snapshot(now: ContinuousClock.Instant) -> KVSoakReport {
        state.withLock { state in
            var report = state.report
            let openGap = now - state.lastSuccess
            report.maxGapMs = Double(max(state.maxGap, openGap).components.attoseconds) / 1e15 + Double(max(state.maxGap, openGap).components.seconds) * 1000
            report.seconds = Double((now - start).components.seconds) + Double((now - start).components.attoseconds) / 1e18
            return report
        }
    }
}
