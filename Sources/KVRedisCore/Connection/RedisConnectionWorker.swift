import KVCore
import KVRedisConfiguration
import Logging
import Metrics
import Synchronization

/// The connection thread's loop. Everything here runs on that one thread: the hiredis context is never
/// touched anywhere else, which is what makes it safe without locks.
final class RedisConnectionWorker {
    private let core: RedisConnectionCore
    private let configuration: RedisConnectionConfiguration
    private let node: String
    private var context: RedisWire?
    /// The ``RedisConnectionSetup`` generation the context's session was set up for.
    private var contextGeneration: UInt64 = 0
    /// The pipeline being sent, encoded; kept between pipelines (up to ``maxRetainedOutput``) to save allocations.
    private var output: [UInt8] = []
    static let maxRetainedOutput = 1 << 20
    private var lastUsed = ContinuousClock.now
    private var connectFailures = 0
    private var retryAfter: ContinuousClock.Instant?
    private var lastConnectError: KVError?
    private var metrics: [String: (commands: Counter, latency: Timer)] = [:]
    private var lastMetric: (name: [UInt8], metric: (commands: Counter, latency: Timer))?
    private lazy var errorCounter = Counter(label: "kv_redis_errors_total", dimensions: [("node", node)])

    /// A connection idle at least this long is checked for a close by the server before it is written to.
    static let closeCheckAfter = Duration.milliseconds(5)

    init(core: RedisConnectionCore) {
        self.core = core
        configuration = core.configuration
        node = configuration.endpoint.description
    }

    func run() {
        let executor = core.asUnownedTaskExecutor()
        while true {
            let (jobs, requests, closed) = core.waitForWork()
            for job in jobs { job.runSynchronously(on: executor) }
            if closed {
                for request in requests { request.complete(.failure(RedisFailure(.shutdown(node: node), mayHaveRun: false))) }
                dropContext()
                return
            }
            if !requests.isEmpty { process(requests) }
        }
    }

    /// Runs one request at once, from a job this thread runs (a task with the connection as executor
    /// preference): nothing is in flight between the loop's pipelines, so the request goes out alone.
    func runInline(_ request: RedisRequest) -> RedisRequest.Outcome {
        process([request])
        guard let outcome = request.completedOutcome else {
            preconditionFailure("process completes every request it is given")
        }
        return outcome
    }

    /// Sends every live request's commands as one pipeline and hands each caller its own replies.
    ///
    /// A request whose deadline passed while it was queued is dropped unsent. Reading a request's replies
    /// waits no longer than its own deadline; when one fails, every request written after it fails too (they
    /// may have run), and the context is discarded.
    private func process(_ requests: [RedisRequest]) {
        let started = ContinuousClock.now
        var live = dropExpired(requests, now: started)
        guard !live.isEmpty else { return }
        let hadContext = context != nil
        let context: RedisWire
        let latestLive = live.lazy.map(\.deadline).max() ?? started
        do {
            context = try connectedContext(now: started, deadline: latestLive) { [self, live] in
                // While connecting: a caller whose own deadline passed is answered now, not when the connect
                // ends. (Those with the latest deadline get the connect's own error, which says why.)
                let now = ContinuousClock.now
                _ = dropExpired(live.filter { $0.deadline < latestLive }, now: now)
                core.expireQueued(now: now)
            }
        } catch {
            fail(live[...], with: RedisFailure(error, mayHaveRun: false))
            return
        }
        if !hadContext || started - lastUsed >= Self.closeCheckAfter {
            // Connecting or checking the connection took time: some requests may have expired meanwhile.
            live = dropExpired(live, now: .now)
            guard !live.isEmpty else { return }
        }
        var appended = 0
        var latestDeadline = started
        output.removeAll(keepingCapacity: true)
        for request in live {
            for command in request.commands { command.encode(into: &output) }
            appended += request.commands.count
            latestDeadline = max(latestDeadline, request.deadline)
        }
        core.pipelines.add(1, ordering: .relaxed)
        core.commands.add(appended, ordering: .relaxed)
        defer { if output.capacity > Self.maxRetainedOutput { output = [] } }
        do throws(KVError) { try context.send(encoded: output, until: latestDeadline) } catch {
            discard(after: error)
            fail(live[...], with: RedisFailure(error, mayHaveRun: true))
            return
        }
        for (index, request) in live.enumerated() {
            var replies: [RedisReply] = []
            replies.reserveCapacity(request.commands.count)
            for _ in request.commands {
                do { replies.append(try context.readReply(until: request.deadline)) } catch {
                    discard(after: error)
                    fail(live[index...], with: RedisFailure(error, mayHaveRun: true))
                    return
                }
            }
            request.complete(.success(replies))
        }
        let finished = ContinuousClock.now
        lastUsed = finished
        record(live, elapsed: finished - started)
    }

    /// The requests still waiting; those whose deadline has passed fail with `timeout`, unsent.
    private func dropExpired(_ requests: [RedisRequest], now: ContinuousClock.Instant) -> [RedisRequest] {
        var live: [RedisRequest] = []
        live.reserveCapacity(requests.count)
        for request in requests where !request.isCompleted {
            if request.deadline > now {
                live.append(request)
            } else {
                let error = KVError(.timeout, "waited in the queue past the command timeout of \(configuration.settings.commandTimeout); not sent", node: node)
                request.complete(.failure(RedisFailure(error, mayHaveRun: false)))
            }
        }
        return live
    }

    /// The live context, connecting (with handshake) if needed, and checking it with PING after idling. The
    /// connect, TLS handshake and handshake commands end by `deadline` (the latest of the waiting calls'), the
    /// connect and TLS handshake also within the connect timeout; `whileWaiting` runs about every 50 ms meanwhile.
    private func connectedContext(now: ContinuousClock.Instant, deadline: ContinuousClock.Instant, whileWaiting: @escaping () -> Void) throws(KVError) -> RedisWire {
        let budget = RedisConnectBudget(
            connectTimeout: configuration.settings.connectTimeout, deadline: deadline, whileWaiting: whileWaiting, stillWanted: { [core] in !core.isClosed })
        if context != nil, let setup = core.setup, setup.generation != contextGeneration {
            core.logger.debug("the session's setup changed; reconnecting", metadata: ["node": "\(node)"])
            dropContext()
        }
        if let context {
            let idle = now - lastUsed
            if idle < Self.closeCheckAfter { return context }
            // The server may have closed the connection while it was idle (idle timeout, restart, CLIENT KILL):
            // find out before writing the caller's command, not after.
            if context.isClosedByPeer {
                core.logger.debug("the server closed the idle connection; reconnecting", metadata: ["node": "\(node)"])
                dropContext()
            } else if idle > configuration.settings.idleCheckInterval {
                do {
                    _ = try context.roundTrip(RedisCommand("PING"), until: min(deadline, now + configuration.settings.commandTimeout)) { () throws(KVError) in
                        try budget.betweenSlices(node: node)
                    }
                    return context
                } catch {
                    core.logger.debug("idle connection failed its check; reconnecting", metadata: ["node": "\(node)", "error": "\(error.message)"])
                    dropContext()
                }
            } else {
                return context
            }
        }
        if let retryAfter, now < retryAfter, let lastConnectError {
            throw lastConnectError.with(message: "\(lastConnectError.message) (next attempt in \(Self.milliseconds(retryAfter - now)) ms)")
        }
        do throws(KVError) {
            let context = try RedisWire(configuration: configuration, budget: budget)
            for command in configuration.handshake {
                let reply = try context.roundTrip(command, until: deadline) { () throws(KVError) in try budget.betweenSlices(node: node) }
                if let message = reply.errorMessage {
                    let code: KVError.Code = command.name == "AUTH" ? .authenticationFailed : .serverError
                    throw KVError(code, "\(command.name) failed: \(message)", node: node)
                }
            }
            var generation: UInt64 = 0
            if let setup = core.setup {
                let session = setup.commands()
                generation = session.generation
                for command in session.commands {
                    let reply = try context.roundTrip(command, until: deadline) { () throws(KVError) in try budget.betweenSlices(node: node) }
                    if let message = reply.errorMessage { throw KVError(.serverError, "\(command.name) failed: \(message)", node: node) }
                }
            }
            // Registered so that close() can shut the socket down under a blocked read.
            guard core.register(descriptor: context.descriptor) else { throw KVError.shutdown(node: node) }
            self.context = context
            contextGeneration = generation
            let recovering = connectFailures > 0
            connectFailures = 0
            retryAfter = nil
            lastConnectError = nil
            lastUsed = now
            core.logger.log(level: recovering ? .info : .debug, "connected", metadata: ["node": "\(node)"])
            return context
        } catch {
            connectFailures += 1
            let delay = min(configuration.settings.maxReconnectDelay, configuration.settings.reconnectDelay * (1 << min(connectFailures - 1, 16)))
            retryAfter = ContinuousClock.now + delay
            lastConnectError = error
            errorCounter.increment()
            // The caller gets this error, so it is logged at debug only (swift-log's advice for libraries).
            core.logger.debug(
                "connect failed",
                metadata: ["node": "\(node)", "error": "\(error)", "retryIn": "\(delay)", "failures": "\(connectFailures)"])
            throw error
        }
    }

    /// Forgets the context; its socket is closed when the last reference goes, after it is unregistered.
    private func dropContext() {
        guard context != nil else { return }
        core.register(descriptor: nil)
        context = nil
        core.setup?.sessionEnded(generation: contextGeneration)
    }

    /// Drops the context after a timeout or I/O error: its late replies must never reach anyone.
    private func discard(after error: KVError) {
        dropContext()
        errorCounter.increment()
        core.logger.debug("connection discarded", metadata: ["node": "\(node)", "error": "\(error)"])
    }

    private func fail(_ requests: ArraySlice<RedisRequest>, with error: RedisFailure) {
        for request in requests { request.complete(.failure(error)) }
    }

    private func record(_ requests: [RedisRequest], elapsed: Duration) {
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        for request in requests {
            guard let command = request.commands.first else { continue }
            let metric = self.metric(for: command)
            metric.commands.increment(by: request.commands.count)
            metric.latency.recordNanoseconds(nanoseconds)
        }
    }

    /// The metrics of a command's name. The last one is kept with its name's bytes, so a run of the same
    /// command (the common case) costs a byte comparison, not a `String` per request.
    private func metric(for command: RedisCommand) -> (commands: Counter, latency: Timer) {
        if let last = lastMetric, command.nameBytes.elementsEqual(last.name) { return last.metric }
        let name = command.name
        let metric = metrics[name] ?? {
            let dimensions = [("command", name), ("node", node)]
            let created = (Counter(label: "kv_redis_commands_total", dimensions: dimensions), Timer(label: "kv_redis_command_duration", dimensions: dimensions))
            metrics[name] = created
            return created
        }()
        lastMetric = (Array(command.nameBytes), metric)
        return metric
    }

    /// A wait in whole milliseconds, rounded up, for messages.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}
