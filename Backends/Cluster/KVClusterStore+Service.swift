import KVCore
import KVRedisConfiguration
import KVRedisCore
import ServiceLifecycle
import Synchronization

extension KVClusterStore {
    /// Refreshes the slot map every `refreshInterval` (every second with a near cache, which serves only while
    /// the map is fresh, or while a watch feed runs, which must follow failovers and reshards), and at once whenever a call asks for it (a redirect, a failed or timed-out node), until
    /// graceful shutdown, cancellation or ``shutdown()``. Optional: see the type's notes.
    ///
    /// ```swift
    /// let cluster = try await KVStores.open("cluster://127.0.0.1:7000")   // any KVStore, a Service
    /// let group = ServiceGroup(configuration: .init(services: [cluster], logger: logger))
    /// try await group.run()
    /// ```
    public func run() async throws {
        let (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let installed = state.withLock { state in
            if state.closed || state.refreshSignal != nil { return false }
            state.refreshSignal = signal
            return true
        }
        guard installed else { return }
        defer { state.withLock { $0.refreshSignal = nil } }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in signals { await self.refresh(waitIfRunning: false) }
                }
                group.addTask {
                    var last = ContinuousClock.now
                    while !Task.isCancelled {
                        let interval = self.periodicRefreshInterval
                        try? await Task.sleep(for: min(interval, .seconds(1)))
                        if Task.isCancelled { break }
                        guard ContinuousClock.now - last >= interval else { continue }
                        last = .now
                        await self.refresh(force: true)
                    }
                    signal.finish()
                }
                // The signals end at shutdown(); the periodic refresh ends at cancellation. Either ends both.
                _ = await group.next()
                group.cancelAll()
                signal.finish()
            }
        }
        signal.finish()
    }

    /// How often ``run()`` re-reads the slot map now.
    var periodicRefreshInterval: Duration {
        options.node.nearCache == nil && !watches.isActive ? options.refreshInterval : min(options.refreshInterval, Self.nearCacheMapCheck)
    }
}
