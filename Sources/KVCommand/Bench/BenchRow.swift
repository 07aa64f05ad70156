import Foundation

/// One line of the `kv bench` table: a workload on the store beside its reference, measured in the same run.
struct BenchRow: Codable, Sendable {
    var workload: String
    var backend: String
    var operations: Int
    var opsPerSecond: Double
    var p50Microseconds: Double?
    var p99Microseconds: Double?
    /// What the row is compared with (`dictionary+mutex`, `hiredis-c`, `redis-benchmark`, ...).
    var reference: String?
    var referenceOpsPerSecond: Double?
    /// `opsPerSecond / referenceOpsPerSecond`.
    var ratio: Double?
    /// The target ratio from the issue, if any.
    var target: Double?

    init(_ workload: String, backend: String, _ measurement: BenchMeasurement, reference: (String, BenchMeasurement)? = nil, target: Double? = nil) {
        self.workload = workload
        self.backend = backend
        operations = measurement.operations
        opsPerSecond = measurement.opsPerSecond
        p50Microseconds = measurement.percentile(0.5)?.microseconds
        p99Microseconds = measurement.percentile(0.99)?.microseconds
        if let (name, other) = reference {
            self.reference = name
            referenceOpsPerSecond = other.opsPerSecond
            ratio = measurement.opsPerSecond / other.opsPerSecond
        }
        self.target = target
    }
}

/// Prints rows as an aligned table.
enum BenchTable {
    static func render(_ rows: [BenchRow]) -> String {
        let header = ["workload", "backend", "ops/s", "p50 µs", "p99 µs", "reference", "ref ops/s", "ratio", "target"]
        let lines = rows.map(cells)
        let all = [header] + lines
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index < 2 || index == 5 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    private static func cells(_ row: BenchRow) -> [String] {
        let p50: String = row.p50Microseconds.map { format($0, digits: 1) } ?? "-"
        let p99: String = row.p99Microseconds.map { format($0, digits: 1) } ?? "-"
        let referenceOps: String = row.referenceOpsPerSecond.map { format($0, digits: 0) } ?? "-"
        let ratio: String = row.ratio.map { format($0, digits: 2) + "×" } ?? "-"
        let target: String = row.target.map { "≥ " + format($0, digits: 2) + "×" } ?? "-"
        return [row.workload, row.backend, format(row.opsPerSecond, digits: 0), p50, p99, row.reference ?? "-", referenceOps, ratio, target]
    }

    static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
