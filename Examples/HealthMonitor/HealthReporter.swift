import Foundation
import KV
import Logging
import ServiceLifecycle

/// A `Service` that prints each node's status and latency on an interval until graceful shutdown.
struct HealthReporter: Service {
    let store: any KVStore
    let interval: Duration
    /// Stop after this many reports (for CI); nil runs until SIGINT/SIGTERM.
    let reports: Int?

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var printed = 0
            while !Task.isCancelled {
                do {
                    let report = try await store.health()
                    print("[\(Date().ISO8601Format())] \(report.backend) is \(report.status.rawValue)")
                    for node in report.nodes {
                        let latency = node.latencyMilliseconds.map { String(format: "%.2f ms", $0) } ?? "-"
                        print("  \(node.name) \(node.address) \(node.status.rawValue) \(latency)\(node.lastError.map { " (\($0))" } ?? "")")
                    }
                } catch {
                    print("[\(Date().ISO8601Format())] health check failed: \(error)")
                }
                printed += 1
                if let reports, printed >= reports { return }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Prints a ring's shard events as they happen.
struct RingEventPrinter: Service {
    let ring: KVRingStore

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await event in ring.events() { print("event: \(event)") }
        }
    }
}
