import Foundation
import KV
import ServiceLifecycle
#if Redis
import KVRing
import KVHealthMonitor
#endif

/// Prints the monitor's status changes as they happen, until the monitor ends or the group shuts down
/// (a group shuts its services down in reverse order, so this one must not wait for the monitor).
struct ChangePrinter: Service {
    /// Subscribed before the group starts, so the first check's changes are not missed.
    let changes: AsyncStream<KVHealthChange>

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await change in changes {
                print("[\(Date().ISO8601Format())] \(change)")
            }
        }
    }
}

#if Redis
/// Prints a ring's shard events as they happen.
struct RingEventPrinter: Service {
    let ring: KVRingStore

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await event in ring.events() { print("event: \(event)") }
        }
    }
}
#endif
