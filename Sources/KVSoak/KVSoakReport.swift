import Foundation

/// The counts of a soak run. `corrupt` must be 0 under every fault.
public struct KVSoakReport: Codable, Sendable, Equatable {
    /// Reads that returned the last acknowledged version (or a newer one whose write was in doubt).
    public var ok = 0
    /// Reads that found nothing although a write had been acknowledged.
    public var missing = 0
    /// Reads that returned an older version than the last acknowledged write.
    public var stale = 0
    /// Reads that returned a value never written to that key: another key's value, or garbled bytes.
    public var corrupt = 0
    /// Acknowledged writes.
    public var writes = 0
    /// Failed operations by error code.
    public var errors: [String: Int] = [:]
    /// The longest time with no successful operation, in milliseconds.
    public var maxGapMs = 0.0
    public var seconds = 0.0
    /// The counters workload's verdict (nil for the read/write workload).
    public var counters: KVSoakCounterReport?
    /// The stampede workload's count of loads (nil for the others).
    public var stampede: KVSoakStampedeReport?
    /// The staleness workload's verdict (nil for the others).
    public var staleness: KVSoakStalenessReport?

    public init() {}

    public var reads: Int { ok + missing + stale + corrupt }
    public var errorCount: Int { errors.values.reduce(0, +) }

    mutating func merge(_ other: KVSoakReport) {
        ok += other.ok
        missing += other.missing
        stale += other.stale
        corrupt += other.corrupt
        writes += other.writes
        for (code, count) in other.errors { errors[code, default: 0] += count }
    }

    /// One line for a terminal.
    public var summary: String {
        let errorText = errors.isEmpty ? "0" : errors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        var line = String(
            format: "%5.1fs writes=%d ok=%d missing=%d stale=%d corrupt=%d errors=%@ maxGapMs=%.0f",
            seconds, writes, ok, missing, stale, corrupt, errorText, maxGapMs)
        if let staleness {
            line += String(format: " staleness: reads=%d stale=%d worstMs=%.3f p999Ms=%.3f p99Ms=%.3f", staleness.reads, staleness.stale, staleness.worstMs, staleness.p999Ms, staleness.p99Ms)
        }
        if let counters {
            line += " counters: acknowledged=\(counters.acknowledged) unknown=\(counters.unknown) final=\(counters.final) lost=\(counters.lost) duplicated=\(counters.duplicated)"
        }
        return line
    }
}
