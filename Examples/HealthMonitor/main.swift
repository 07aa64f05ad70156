// The library's health monitor (KVHealthMonitor, a swift-service-lifecycle Service) in a ServiceGroup: it checks
// the store every interval, prints each change of the store's or a node's status as it happens (and records
// swift-metrics gauges), prints a ring's up/down events, and shuts down cleanly on SIGINT or SIGTERM.
//   swift run HealthMonitor [--store URL] [--interval SECONDS] [--reports N]
import ExampleSupport
import Foundation
import KV
import Logging
import ServiceLifecycle
import KVHealthMonitor
#if Redis
import KVRing
import UnixSignals
#endif

let intervalText = ExampleStore.argument("--interval") ?? "1"
guard let interval = Double(intervalText).flatMap({ Duration.checkedSeconds($0, in: 0.001...KVLimits.maxOptionSeconds) }) else {
    print("--interval must be a number of seconds from 0.001 to \(Int(KVLimits.maxOptionSeconds)), got \(intervalText)")
    exit(2)
}
let reports = ExampleStore.argument("--reports").flatMap(Int.init)
let (store, configuration) = try await ExampleStore.open()
print("HealthMonitor on \(configuration); Ctrl-C to stop")

let monitor = KVHealthMonitor(store: store, interval: interval, limit: reports)
// The store is a Service too: its run() does its background work (a ring's heartbeats, a cluster's refresh).
var services: [any Service] = [monitor, store, ChangePrinter(changes: monitor.changes())]
#if Redis
if let ring = store as? KVRingStore {
    services.append(RingEventPrinter(ring: ring))
}
#endif
var logger = Logger(label: "health-monitor")
logger.logLevel = .warning
let group = ServiceGroup(configuration: .init(
    services: services.enumerated().map { index, service in
        // The monitor ends the group when it has made its reports.
        .init(service: service, successTerminationBehavior: index == 0 ? .gracefullyShutdownGroup : .ignore)
    },
    gracefulShutdownSignals: [.sigterm, .sigint],
    logger: logger))
try await group.run()
if let report = monitor.latest {
    print("last report: \(report.backend) is \(report.status.rawValue)")
    for node in report.nodes {
        let latency = node.latencyMilliseconds.map { String(format: "%.2f ms", $0) } ?? "-"
        print("  \(node.name) \(node.address) \(node.status.rawValue) \(latency)\(node.lastError.map { " (\($0))" } ?? "")")
    }
}
await store.shutdown()
print("stopped cleanly")
