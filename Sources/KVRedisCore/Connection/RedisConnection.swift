import CHiredis
import Dispatch
import Foundation
package import KVCore
import KVRedisConfiguration
package import Logging
import Synchronization
#if DistributedTracingSupport
import Tracing
#endif

/// One connection to one Redis node, with a thread of its own.
///
/// Callers enqueue commands; the connection's thread takes everything queued, appends it all, flushes once
/// and reads the replies in order (automatic pipelining). Blocking hiredis calls run only on that thread,
/// never on Swift's cooperative pool.
///
/// The connection is also a `TaskExecutor`: a task run with it as executor preference (see
/// ``RedisPool/withAffinity(_:)``) executes on the connection's thread, so a command costs no thread wake-up.
/// Such a task's commands run inline: the thread writes them and reads their replies then and there, as it
/// would in its loop, with no queue, continuation or job in between. (The thread is the connection's own,
/// never one of Swift's cooperative pool, so blocking it is what it is for.)
///
/// After a timeout or an I/O error the hiredis context is discarded, so a late reply can never reach
/// another caller; every command written on it fails with that error, and the next command reconnects.
/// Each request carries the deadline of its whole call: one that waited in the queue past it is dropped
/// unsent, and no read waits beyond it, however slowly a reply trickles in.
package final class RedisConnection: Sendable {
    package let configuration: RedisConnectionConfiguration
    #if DistributedTracingSupport
    /// Where this connection's spans go (``RedisTracing``); nil without a tracer.
    let tracer: (any Tracer)?
    #endif
    /// `host:port`, as named in errors (made once: requests name it on every call).
    package let node: String
    let core: RedisConnectionCore

    /// A connection to the node of `configuration`; `setup`, when given, adds to each session (see
    /// ``RedisConnectionSetup``).
    package init(configuration: RedisConnectionConfiguration, logger: Logger, setup: (any RedisConnectionSetup)? = nil) {
        self.configuration = configuration
        node = configuration.node
        #if DistributedTracingSupport
        tracer = RedisTracing.activeTracer()
        #endif
        core = RedisConnectionCore(configuration: configuration, logger: logger, setup: setup)
        core.start()
    }

    deinit { core.close() }

    /// The executor backed by this connection's thread.
    package var executor: any TaskExecutor { core }

    /// Sends one command and returns its reply (an error reply is returned, not thrown).
    ///
    /// - Throws: `timeout`, `connectionFailed`, `authenticationFailed`, `cancelled`, `shutdown`.
    package nonisolated(nonsending) func send(_ command: RedisCommand) async throws(KVError) -> RedisReply {
        try await pipeline([command])[0]
    }

    /// Sends commands back to back and returns their replies in order, within one command timeout.
    ///
    /// - Throws: as ``send(_:)``; then no reply of this pipeline is returned.
    package nonisolated(nonsending) func pipeline(_ commands: [RedisCommand]) async throws(KVError) -> [RedisReply] {
        do throws(RedisFailure) {
            return try await execute(commands, deadline: .now + configuration.settings.commandTimeout)
        } catch {
            throw error.error
        }
    }

    /// Sends commands back to back and returns their replies in order, or fails by `deadline`, queueing
    /// included. The failure says whether the commands may have reached the server.
    package nonisolated(nonsending) func execute(_ commands: [RedisCommand], deadline: ContinuousClock.Instant) async throws(RedisFailure) -> [RedisReply] {
        if commands.isEmpty { return [] }
        #if DistributedTracingSupport
        if let tracer {
            return try await RedisTracing.traced(commands, configuration: configuration, tracer: tracer) { () throws(RedisFailure) in
                try await enqueue(commands, deadline: deadline)
            }
        }
        #endif
        return try await enqueue(commands, deadline: deadline)
    }

    /// Queues the request for the connection thread and waits for its outcome; on the connection thread
    /// itself, runs it inline (then cancellation is seen before the request is sent, not while it waits).
    private nonisolated(nonsending) func enqueue(_ commands: [RedisCommand], deadline: ContinuousClock.Instant) async throws(RedisFailure) -> [RedisReply] {
        if Task.isCancelled { throw RedisFailure(KVError(.cancelled, "the task was cancelled before sending", node: node), mayHaveRun: false) }
        let request = RedisRequest(commands, deadline: deadline)
        if let worker = core.workerIfCurrentThread {
            core.inline.add(1, ordering: .relaxed)
            return try worker.runInline(request).get()
        }
        let node = self.node
        let core = self.core
        core.waiting.add(1, ordering: .relaxed)
        defer { core.waiting.subtract(1, ordering: .relaxed) }
        let outcome = await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                request.wait(continuation)
                core.submit(request)
            }
        } onCancel: {
            request.complete(.failure(RedisFailure(KVError(.cancelled, "the task was cancelled while waiting for a reply", node: node), mayHaveRun: true)))
        }
        return try outcome.get()
    }

    /// How many pipelines (flushes) and commands this connection has sent, to show automatic pipelining at
    /// work, and how many requests ran inline (from tasks on its thread).
    package var statistics: (pipelines: Int, commands: Int, inline: Int) {
        (core.pipelines.load(ordering: .relaxed), core.commands.load(ordering: .relaxed), core.inline.load(ordering: .relaxed))
    }

    /// Callers waiting for a reply on this connection now.
    package var waitingCallers: Int { core.waiting.load(ordering: .relaxed) }

    /// Whether the caller runs on this connection's thread (as it does inside ``RedisPool/withAffinity(_:)``).
    package var isCurrentThread: Bool {
        core.threadID.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Queues `PING` with no caller waiting: a connection whose server closed or froze it finds out (and
    /// discards it) now rather than at its next caller's command.
    package func check() {
        core.submit(RedisRequest([RedisCommand("PING")], deadline: .now + configuration.settings.commandTimeout))
    }

    /// Stops the thread after failing whatever is queued with `shutdown`. Idempotent.
    package func close() { core.close() }
}

/// The state shared between callers and the connection thread: the queue of requests and executor jobs.
final class RedisConnectionCore: TaskExecutor, Sendable {
    private struct Queue {
        var requests: [RedisRequest] = []
        var jobs: [UnownedJob] = []
        var closed = false
    }

    let configuration: RedisConnectionConfiguration
    let logger: Logger
    let setup: (any RedisConnectionSetup)?
    let pipelines = Atomic<Int>(0)
    /// The connection thread's `pthread_self()`, once it runs.
    let threadID = Atomic<UInt>(0)
    let commands = Atomic<Int>(0)
    /// Requests run inline by tasks on the connection thread.
    let inline = Atomic<Int>(0)
    /// Callers waiting for a reply on this connection, for the pool's choice of connection.
    let waiting = Atomic<Int>(0)
    private let queue = Mutex(Queue())
    /// The descriptor of the live connection's socket, while the connection thread has one.
    private let descriptor = Mutex<Int32?>(nil)
    private let wakeup = DispatchSemaphore(value: 0)
    /// The thread's worker, set by the thread before it runs anything.
    ///
    /// `nonisolated(unsafe)`, and safe: it is written only on the connection thread (before that thread runs
    /// any job, and when it ends), and read only through ``workerIfCurrentThread``, that is on the same thread.
    private nonisolated(unsafe) var worker: RedisConnectionWorker?

    init(configuration: RedisConnectionConfiguration, logger: Logger, setup: (any RedisConnectionSetup)?) {
        self.configuration = configuration
        self.logger = logger
        self.setup = setup
    }

    func start() {
        let thread = Thread { [self] in
            // Named from inside: Foundation's `Thread.name` does not reach the OS thread on Linux, and `top -H`,
            // `perf` and the tests' thread counts read the OS name.
            kv_name_this_thread("kv-redis")
            kv_block_sigpipe()
            threadID.store(UInt(pthread_self()), ordering: .releasing)
            let worker = RedisConnectionWorker(core: self)
            self.worker = worker
            worker.run()
            // The worker holds the core: breaking the cycle here frees both once the connection is gone.
            self.worker = nil
        }
        thread.start()
    }

    /// The worker, when called on the connection thread (from a job it runs); nil on any other thread.
    var workerIfCurrentThread: RedisConnectionWorker? {
        threadID.load(ordering: .relaxed) == UInt(pthread_self()) ? worker : nil
    }

    func submit(_ request: RedisRequest) {
        let accepted = queue.withLock { queue in
            if queue.closed { return false }
            queue.requests.append(request)
            return true
        }
        if accepted {
            wakeup.signal()
        } else {
            request.complete(.failure(RedisFailure(.shutdown(node: configuration.node), mayHaveRun: false)))
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let accepted = queue.withLock { queue in
            if queue.closed { return false }
            queue.jobs.append(unowned)
            return true
        }
        if accepted {
            wakeup.signal()
        } else {
            globalConcurrentExecutor.enqueue(unowned)
        }
    }

    /// Stops the thread: it fails what is queued, and a read or write it is blocked in ends at once (the socket
    /// is shut down, not closed: the thread closes it).
    func close() {
        let wasOpen = queue.withLock { queue in
            defer { queue.closed = true }
            return !queue.closed
        }
        if wasOpen { wakeup.signal() }
        descriptor.withLock { descriptor in
            if let descriptor { _ = kv_shutdown_both(descriptor) }
        }
    }

    var isClosed: Bool { queue.withLock { $0.closed } }

    /// Records the socket of the live connection (nil when it is dropped, before the socket is closed), so
    /// that ``close()`` never shuts down a descriptor number the system gave to something else since. Returns
    /// false (and records nothing) when the connection is closed already.
    @discardableResult
    func register(descriptor socket: Int32?) -> Bool {
        descriptor.withLock { descriptor in
            if socket != nil, isClosed { return false }
            descriptor = socket
            return true
        }
    }

    /// Fails the queued requests whose deadline passed (called by the connection thread while it connects, so
    /// that callers queued behind a slow connect get their own deadlines).
    func expireQueued(now: ContinuousClock.Instant) {
        let expired = queue.withLock { queue -> [RedisRequest] in
            guard queue.requests.contains(where: { $0.deadline <= now }) else { return [] }
            let expired = queue.requests.filter { $0.deadline <= now }
            queue.requests.removeAll { $0.deadline <= now }
            return expired
        }
        for request in expired {
            let error = KVError(.timeout, "waited past the command timeout of \(configuration.settings.commandTimeout) while the connection was being made; not sent", node: configuration.node)
            request.complete(.failure(RedisFailure(error, mayHaveRun: false)))
        }
    }

    /// Blocks the connection thread until there is work, then takes all of it. (Polling for a few
    /// microseconds before sleeping was measured slower on 2 cores: the poller takes the core the caller and the
    /// server need.)
    func waitForWork() -> (jobs: [UnownedJob], requests: [RedisRequest], closed: Bool) {
        wakeup.wait()
        return queue.withLock { queue in
            defer {
                queue.jobs.removeAll(keepingCapacity: true)
                queue.requests.removeAll(keepingCapacity: true)
            }
            return (queue.jobs, queue.requests, queue.closed)
        }
    }
}
