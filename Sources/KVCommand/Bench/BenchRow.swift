import Foundation

/// A reference a row is compared with, measured in the same run.
struct BenchComparison: Codable, Sendable {
    /// `dictionary+mutex`, `hiredis-c`, `redis-benchmark`, ...
    var reference: String
    var opsPerSecond: Double
    /// The row's ops/s divided by the reference's; for a `max-wait` comparison, the reference's slowest
    /// operation divided by the row's (how many times shorter the row's worst wait is).
    var ratio: Double
    /// The target ratio from the issue, if any.
    var target: Double?
    /// What is compared: nil for throughput, `max-wait` for the slowest single operation.
    var metric: String? = nil
    /// The reference's slowest single operation, for a `max-wait` comparison.
    var referenceMaxMicroseconds: Double? = nil
}

/// One line of the `kv bench` table: a workload on the store beside its references.
struct BenchRow: Codable, Sendable {
    var workload: String
    var backend: String
    var operations: Int
    var opsPerSecond: Double
    var p50Microseconds: Double?
    var p99Microseconds: Double?
    /// The slowest single operation, for rows about stalls.
    var maxMicroseconds: Double?
    var comparisons: [BenchComparison] = []

    init(_ workload: String, backend: String, _ measurement: BenchMeasurement) {
        self.workload = workload
        self.backend = backend
        operations = measurement.operations
        opsPerSecond = measurement.opsPerSecond
        p50Microseconds = measurement.percentile(0.5)?.microseconds
        p99Microseconds = measurement.percentile(0.99)?.microseconds
        maxMicroseconds = measurement.latencies.last.map { Double($0) / 1000 }
    }

    /// Adds a comparison with a reference that did `opsPerSecond`.
    func compared(with reference: String, opsPerSecond other: Double?, target: Double? = nil) -> BenchRow {
        guard let other, other > 0, other.isFinite, opsPerSecond.isFinite else { return self }
        var row = self
        row.comparisons.append(BenchComparison(reference: reference, opsPerSecond: other, ratio: opsPerSecond / other, target: target))
        return row
    }

    /// Adds a comparison of the slowest single operation with a reference whose slowest took `referenceMax` µs.
    func comparedByMaxWait(with reference: String, referenceMaxMicroseconds referenceMax: Double?, opsPerSecond other: Double) -> BenchRow {
        guard let referenceMax, referenceMax.isFinite, let max = maxMicroseconds, max > 0 else { return self }
        var row = self
        row.comparisons.append(BenchComparison(
            reference: reference, opsPerSecond: other, ratio: referenceMax / max, metric: "max-wait", referenceMaxMicroseconds: referenceMax))
        return row
    }
}

/// Prints rows as an aligned table, one column per reference.
enum BenchTable {
    static func render(_ rows: [BenchRow]) -> String {
        var references: [String] = []
        for row in rows { for comparison in row.comparisons where !references.contains(comparison.reference) { references.append(comparison.reference) } }
        let header = ["workload", "backend", "ops/s", "p50 µs", "p99 µs", "max µs"] + references.map { "vs \($0)" }
        let lines = rows.map { cells($0, references: references) }
        let all = [header] + lines
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index < 2 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    private static func cells(_ row: BenchRow, references: [String]) -> [String] {
        let p50: String = row.p50Microseconds.map { format($0, digits: 1) } ?? "-"
        let p99: String = row.p99Microseconds.map { format($0, digits: 1) } ?? "-"
        let versus: [String] = references.map { name in
            guard let comparison = row.comparisons.first(where: { $0.reference == name }) else { return "-" }
            if comparison.metric == "max-wait", let referenceMax = comparison.referenceMaxMicroseconds {
                return "max wait \(format(comparison.ratio, digits: 0))× shorter than \(format(referenceMax, digits: 0)) µs"
            }
            var text = "\(format(comparison.ratio, digits: 2))× of \(format(comparison.opsPerSecond, digits: 0))"
            if let target = comparison.target { text += comparison.ratio >= target ? " (≥\(format(target, digits: 2)) ok)" : " (≥\(format(target, digits: 2)) MISSED)" }
            return text
        }
        let max: String = row.maxMicroseconds.map { format($0, digits: 0) } ?? "-"
        return [row.workload, row.backend, format(row.opsPerSecond, digits: 0), p50, p99, max] + versus
    }

    static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
