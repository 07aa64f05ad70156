// A health-monitoring loop as a swift-service-lifecycle Service in a ServiceGroup. It prints each node's
// status and latency every second, a ring's up/down events as they happen, and shuts down cleanly on
// SIGINT or SIGTERM.
//   swift run HealthMonitor [--store URL] [--interval SECONDS] [--reports N]
import ExampleSupport
import Foundation
import KV
import Logging
import ServiceLifecycle

let intervalText = ExampleStore.argument("--interval") ?? "1"
guard let interval = Double(intervalText).flatMap({ Duration.checkedSeconds($0, in: 0.001...KVLimits.maxOptionSeconds) }) else {
    print("--interval must be a number of seconds from 0.001 to \(Int(KVLimits.maxOptionSeconds)), got \(intervalText)")
    exit(2)
}
let reports = ExampleStore.argument("--reports").flatMap(Int.init)
let (store, configuration) = try await ExampleStore.open()
print("HealthMonitor on \(configuration); Ctrl-C to stop")

var services: [any Service] = [HealthReporter(store: store, interval: interval, reports: reports)]
if let ring = store as? KVRingStore {
    services.append(RingEventPrinter(ring: ring))
}
var logger = Logger(label: "health-monitor")
logger.logLevel = .warning
let group = ServiceGroup(configuration: .init(
    services: services.enumerated().map { index, service in
        // The reporter ends the group when it has printed its reports.
        .init(service: service, successTerminationBehavior: index == 0 ? .gracefullyShutdownGroup : .ignore)
    },
    gracefulShutdownSignals: [.sigterm, .sigint],
    logger: logger))
try await group.run()
await store.shutdown()
print("stopped cleanly")
