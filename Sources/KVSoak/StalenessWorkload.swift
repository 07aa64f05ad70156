import KVCore
import Synchronization

/// The staleness workload's verdict: how many reads returned an older version than one whose write had been
/// acknowledged before the read began, and by how much (the time from that acknowledgement to the read's start).
public struct KVSoakStalenessReport: Codable, Sendable, Equatable {
    /// Reads checked.
    public var reads = 0
    /// Reads that returned an older version than one acknowledged before they began.
    public var stale = 0
    /// Acknowledged writes of the writer.
    public var writes = 0
    /// The worst staleness, in milliseconds.
    public var worstMs = 0.0
    /// The 99.9th and 99th percentiles of staleness over every read (a fresh read counts as 0).
    public var p999Ms = 0.0
    public var p99Ms = 0.0
}

/// A writer on a store of its own (another client) writes increasing versions of `keys` shared keys as fast as
/// it can; `tasks` readers read them through the store under test (a near cache, say). A read that returns version
/// v although v + 1 was acknowledged before the read began is stale by the time since that acknowledgement.
struct StalenessWorkload {
    let reader: any KVStore
    let writer: any KVStore
    let configuration: KVSoakRunner.Configuration

    static func key(_ prefix: String, index: Int) -> String { "\(prefix)staleness:\(index)" }

    /// When each of the latest versions of each key was acknowledged (nil for a write that failed). Only the last
    /// ``kept`` versions per key are kept, so a long soak stays within bounded memory; a read older than them is
    /// measured against the oldest kept acknowledgement, a lower bound of its staleness.
    final class Acknowledgements: Sendable {
        struct Log {
            /// The version of `times[0]`.
            var first = 1
            var times: [ContinuousClock.Instant?] = []
        }

        static let kept = 4096
        let logs: Mutex<[Log]>
        init(keys: Int) { logs = Mutex(Array(repeating: Log(), count: keys)) }

        func append(index: Int, _ acknowledged: ContinuousClock.Instant?) {
            logs.withLock { logs in
                logs[index].times.append(acknowledged)
                if logs[index].times.count > 2 * Self.kept {
                    logs[index].times.removeFirst(Self.kept)
                    logs[index].first += Self.kept
                }
            }
        }

        /// How long before `start` a version newer than `version` of key `index` was acknowledged, if one was.
        func staleness(index: Int, version: Int, start: ContinuousClock.Instant) -> Duration? {
            logs.withLock { logs in
                let log = logs[index]
                let from = max(version + 1 - log.first, 0)
                guard version >= 0, from < log.times.count else { return nil }
                for newer in log.times[from...] {
                    guard let acknowledged = newer else { continue }
                    return acknowledged < start ? start - acknowledged : nil
                }
                return nil
            }
        }
    }

    func run(until deadline: ContinuousClock.Instant) async -> KVSoakStalenessReport {
        let keys = (0..<configuration.keys).map { Self.key(configuration.keyPrefix, index: $0) }
        let acknowledgements = Acknowledgements(keys: keys.count)
        let (reader, writer, tasks) = (self.reader, self.writer, configuration.tasks)
        return await withTaskGroup(of: (writes: Int, reads: Int, stale: [Duration]).self) { group in
            group.addTask {
                var writes = 0
                var version = 0
                while ContinuousClock.now < deadline {
                    version += 1
                    for (index, key) in keys.enumerated() {
                        let written = (try? await writer.set(key, Array(String(version).utf8), options: .default)) != nil
                        let now = ContinuousClock.now
                        acknowledgements.append(index: index, written ? now : nil)
                        if written { writes += 1 }
                    }
                }
                return (writes, 0, [])
            }
            for _ in 0..<tasks {
                group.addTask {
                    var reads = 0
                    var stale: [Duration] = []
                    while ContinuousClock.now < deadline {
                        let index = Int.random(in: 0..<keys.count)
                        let start = ContinuousClock.now
                        let value: [UInt8]?
                        do { value = try await reader.get(keys[index]) } catch { continue }
                        let version = value.map { Int(String(decoding: $0, as: UTF8.self)) ?? 0 } ?? 0
                        reads += 1
                        if let behind = acknowledgements.staleness(index: index, version: version, start: start) { stale.append(behind) }
                        // A hit never suspends: without a yield, the readers would keep the writer off the pool.
                        await Task.yield()
                    }
                    return (0, reads, stale)
                }
            }
            var report = KVSoakStalenessReport()
            var stale: [Duration] = []
            for await part in group {
                report.writes += part.writes
                report.reads += part.reads
                stale += part.stale
            }
            stale.sort(by: >)
            report.stale = stale.count
            let milliseconds = { (duration: Duration) in Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }
            report.worstMs = stale.first.map(milliseconds) ?? 0
            let percentile = { (fraction: Double) -> Double in
                let index = Int(Double(report.reads) * fraction)
                return index < stale.count ? milliseconds(stale[index]) : 0
            }
            report.p999Ms = percentile(0.001)
            report.p99Ms = percentile(0.01)
            return report
        }
    }
}
