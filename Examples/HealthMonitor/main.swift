// A health-monitoring loop as a swift-service-lifecycle Service in a ServiceGroup. It prints each node's
// status and latency every second, a ring's up/down events as they happen, and shuts down cleanly on
// SIGINT or SIGTERM.
//   swift run HealthMonitor [--store URL] [--interval SECONDS] [--reports N]
import ExampleSupport
import KV
import Logging
import ServiceLifecycle

let interval = Double(ExampleStore.argument("--interval") ?? "") ?? 1
let reports = ExampleStore.argument("--reports").flatMap(Int.init)
let (store, configuration) = try await ExampleStore.open()
print("HealthMonitor on \(configuration); Ctrl-C to stop")

var services: [any Service] = [HealthReporter(store: store, interval: .milliseconds(Int64(interval * 1000)), reports: reports)]
if let ring = store as? RingStore {
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
