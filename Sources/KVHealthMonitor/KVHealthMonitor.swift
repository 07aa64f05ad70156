public import KVCore
public import Logging
public import Metrics
public import ServiceLifecycle
import Synchronization

/// A change of a store's or a node's health status, as ``KVHealthMonitor`` sees it.
public struct KVHealthChange: Sendable, Hashable, CustomStringConvertible {
    /// The node that changed, or nil for the store's overall status.
    public var node: String?
    /// The status before (nil at the first check).
    public var from: KVHealthStatus?
    public var to: KVHealthStatus
    /// Why, when the new status is not healthy and the node said why.
    public var lastError: String?

    public init(node: String?, from: KVHealthStatus?, to: KVHealthStatus, lastError: String? = nil) {
        self.node = node
        self.from = from
        self.to = to
        self.lastError = lastError
    }

    public var description: String {
        "\(node ?? "store"): \(from.map(\.rawValue) ?? "unknown") → \(to.rawValue)\(lastError.map { " (\($0))" } ?? "")"
    }
}

/// Checks any store's health on an interval while it runs as a swift-service-lifecycle `Service`: publishes each
/// change of the overall and per-node status, keeps the latest report, and records swift-metrics gauges per node
/// (`kv_node_healthy`: 1 healthy, 0.5 degraded, 0 unhealthy; `kv_node_latency_seconds`). Ends at graceful shutdown.
///
/// ```swift
/// let monitor = KVHealthMonitor(store: store, interval: .seconds(5))
/// let changes = monitor.changes()   // subscribe before the monitor runs; the stream ends with it
/// let group = ServiceGroup(services: [monitor], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await withThrowingDiscardingTaskGroup { tasks in
///     tasks.addTask { try await group.run() }
///     for await change in changes { logger.warning("\(change)") }
/// }
/// ```
public final class KVHealthMonitor: Service, Sendable {
    public let store: any KVStore
    public let interval: Duration
    /// Reports to make before `run()` returns by itself; nil runs until shutdown.
    public let limit: Int?
    let logger: Logger
    let metrics: (any MetricsFactory)?

    private struct State {
        var latest: KVHealthReport?
        /// The gauges of each node, made once: `kv_node_healthy` and `kv_node_latency_seconds`.
        var gauges: [String: (healthy: Gauge, latency: Gauge)] = [:]
        var subscribers: [Int: AsyncStream<KVHealthChange>.Continuation] = [:]
        var nextSubscriber = 0
        var finished = false
    }

    private let state = Mutex(State())

    /// - Parameters:
    ///   - store: the store to check.
    ///   - interval: the time between the start of one check and the next.
    ///   - limit: stop after this many checks (nil: run until graceful shutdown).
    ///   - logger: where changes are logged, at info.
    ///   - metrics: the factory for the gauges; nil for swift-metrics' bootstrapped system.
    public init(store: any KVStore, interval: Duration = .seconds(5), limit: Int? = nil, logger: Logger = KVLogging.disabled, metrics: (any MetricsFactory)? = nil) {
        self.store = store
        self.interval = interval
        self.limit = limit
        self.logger = logger
        self.metrics = metrics
    }

    /// The last report, if a check has run.
    public var latest: KVHealthReport? { state.withLock { $0.latest } }

    /// The changes from now on, to each subscriber; the stream ends when `run()` ends.
    public func changes() -> AsyncStream<KVHealthChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: KVHealthChange.self, bufferingPolicy: .bufferingNewest(1000))
        let finished = state.withLock { state -> Bool in
            if state.finished { return true }
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) } }
            return false
        }
        if finished { continuation.finish() }
        return stream
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var checks = 0
            while !Task.isCancelled {
                await self.check()
                checks += 1
                if let limit = self.limit, checks >= limit { break }
                try? await Task.sleep(for: self.interval)
            }
        }
        let subscribers = state.withLock { state in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        subscribers.forEach { $0.finish() }
    }

    /// One check: the report, its changes published, the gauges recorded.
    func check() async {
        let report: KVHealthReport
        do {
            report = try await store.health()
        } catch {
            report = KVHealthReport(status: .unhealthy, backend: "unknown", nodes: [])
            logger.info("health check failed", metadata: ["error": "\(error)"])
        }
        let previous = state.withLock { state in
            defer { state.latest = report }
            return state.latest
        }
        var changes: [KVHealthChange] = []
        if previous?.status != report.status {
            changes.append(KVHealthChange(node: nil, from: previous?.status, to: report.status))
        }
        for node in report.nodes {
            let before = previous?.nodes.first { $0.name == node.name }?.status
            if before != node.status { changes.append(KVHealthChange(node: node.name, from: before, to: node.status, lastError: node.lastError)) }
            record(node, backend: report.backend)
        }
        guard !changes.isEmpty else { return }
        // Every change is logged but the first report of a healthy store: a fall, and the recovery from it.
        for change in changes where change.from != nil || change.to != .healthy {
            logger.info(change.to == .healthy ? "health recovered" : "health changed", metadata: ["change": "\(change)"])
        }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for continuation in subscribers { for change in changes { continuation.yield(change) } }
    }

    private func record(_ node: KVNodeHealth, backend: String) {
        let gauges = state.withLock { state in
            let key = "\(backend)\u{0}\(node.name)"
            if let gauges = state.gauges[key] { return gauges }
            let dimensions = [("store", backend), ("node", node.name)]
            func gauge(_ label: String) -> Gauge {
                metrics.map { Gauge(label: label, dimensions: dimensions, factory: $0) } ?? Gauge(label: label, dimensions: dimensions)
            }
            let made = (healthy: gauge("kv_node_healthy"), latency: gauge("kv_node_latency_seconds"))
            state.gauges[key] = made
            return made
        }
        let healthy: Double = switch node.status {
        case .healthy: 1
        case .degraded: 0.5
        case .unhealthy: 0
        }
        gauges.healthy.record(healthy)
        if let latency = node.latencyMilliseconds { gauges.latency.record(latency / 1000) }
    }
}
