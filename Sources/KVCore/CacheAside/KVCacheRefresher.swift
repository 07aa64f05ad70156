public import ServiceLifecycle
import Synchronization

/// Runs the background refreshes of stale-while-revalidate (``KVCachePolicy/staleFor``) as child tasks of its
/// ``run()``, so none outlives the service. Add it to your service group; it ends at graceful shutdown. While it
/// does not run, the caller that finds a value stale refreshes it itself (and the others get the old value).
///
/// ```swift
/// let refresher = KVCacheRefresher()
/// let group = ServiceGroup(services: [refresher, app], gracefulShutdownSignals: [.sigterm], logger: logger)
/// let policy = KVCachePolicy(staleFor: .seconds(30), refresher: refresher)
/// ```
public final class KVCacheRefresher: Service, Sendable {
    private let jobs: AsyncStream<@Sendable () async -> Void>
    private let queue: AsyncStream<@Sendable () async -> Void>.Continuation
    private let running = Atomic<Bool>(false)

    /// At most `maxQueued` refreshes wait to start; beyond that a new one is not queued (a later read asks again).
    public init(maxQueued: Int = 1024) {
        (jobs, queue) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(max(1, maxQueued)))
    }

    /// Runs refreshes until graceful shutdown or cancellation; run it once.
    public func run() async throws {
        running.store(true, ordering: .releasing)
        defer { running.store(false, ordering: .releasing) }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await job in self.jobs {
                    group.addTask { await job() }
                }
            }
        }
    }

    /// Whether ``run()`` is running (refreshes are then queued to it).
    public var isRunning: Bool { running.load(ordering: .acquiring) }

    /// What became of a job handed to ``submit(_:)``.
    enum Submission {
        /// It will run on the refresher.
        case queued
        /// The queue is full: it will not run.
        case full
        /// The refresher does not run: the caller runs it.
        case notRunning
    }

    /// Queues `job` if the refresher runs.
    func submit(_ job: @escaping @Sendable () async -> Void) -> Submission {
        guard running.load(ordering: .acquiring) else { return .notRunning }
        switch queue.yield(job) {
        case .enqueued: return .queued
        case .dropped: return .full
        case .terminated: return .notRunning
        @unknown default: return .notRunning
        }
    }
}
