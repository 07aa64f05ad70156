import ArgumentParser
import KV
import Foundation

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Report the store's overall health on the first line, then each node's, one line per node. Exit 1 only when the store is unhealthy.")

    @OptionGroup var storeOptions: StoreOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let report = try await storeOptions.withStore { try await $0.health() }
        if json {
            try Output.json(report)
        } else {
            HealthTable.print(report, colour: Output.isTerminal)
        }
        if report.status == .unhealthy { throw ExitCode(ExitStatus.unhealthy) }
    }
}

/// A compact table of a health report: the overall status first (a degraded store can have only healthy
/// nodes, as when a master has no live replica), then one line per node; coloured on a terminal.
enum HealthTable {
    static func print(_ report: KVHealthReport, colour: Bool) {
        Output.line("\(report.backend): \(paint(report.status, colour: colour))")
        for node in report.nodes {
            let latency = node.latencyMilliseconds.map { String(format: "%.2fms", $0) } ?? "-"
            var fields = [node.name, node.address, paint(node.status, colour: colour), latency]
            if let role = node.role { fields.append(role) }
            if let error = node.lastError { fields.append("error: \(error)") }
            Output.line(fields.joined(separator: "  "))
        }
    }

    static func paint(_ status: KVHealthStatus, colour: Bool) -> String {
        guard colour else { return status.rawValue }
        let code = switch status {
        case .healthy: "32"
        case .degraded: "33"
        case .unhealthy: "31"
        }
        return "\u{1B}[\(code)m\(status.rawValue)\u{1B}[0m"
    }
}
