import CHiredis
import Foundation
import KVCore
import KVRedisConfiguration
package import Logging
import Synchronization

/// The connection to one node that a near cache or a watch feed hears changes on, on a thread of its own:
/// `CLIENT ID`, then (with prefixes, or for a watch) broadcast
/// tracking of the prefixes redirected to itself (`CLIENT TRACKING ON REDIRECT <own id> BCAST PREFIX …`), then
/// `SUBSCRIBE __redis__:invalidate`. From the subscription's acknowledgement on, the cache is armed, and every
/// invalidation for this connection's id arrives here as a message: each write under the prefixes, or (without
/// prefixes) each change of a key that the cache's tracked connection read. Broadcast tracking lives on this
/// connection, which the store never lends to callers, so no pool churn can end it. A RESP2 client gets no signal
/// when the connection is lost, so the listener sends `PING` each second and counts it lost when the `pong` is late.
///
/// Events, on the listener's thread: ``Event/armed(id:)``, ``Event/invalidated(_:)``, ``Event/flushed``,
/// ``Event/heartbeat`` (each `PING`), ``Event/lost(_:)`` (then it reconnects, with back-off) and
/// ``Event/refused(_:)`` (the server or the user cannot track: the listener ends and the store stays uncached).
package final class RedisInvalidationListener: Sendable {
    package enum Event: Sendable, Equatable {
        /// Subscribed (with broadcast tracking on, given prefixes): changes from now on are reported to the
        /// connection `id`, the target for the tracked connection's `REDIRECT`.
        case armed(id: Int64)
        /// These keys changed (set, deleted, expired or evicted).
        case invalidated([String])
        /// The node's data was flushed (`FLUSHALL`, `FLUSHDB`): everything changed.
        case flushed
        /// The connection was checked with `PING` (about every second while armed).
        case heartbeat
        /// The connection broke or fell silent: changes may be missed until ``armed`` again.
        case lost(String)
        /// Tracking is impossible here (a refused command or channel); no retry.
        case refused(String)
    }

    /// The channel the server publishes invalidations on (RESP2).
    package static let channel = "__redis__:invalidate"
    /// How often the listener checks that the connection is alive.
    package static let pingInterval = Duration.seconds(1)

    let configuration: RedisConnectionConfiguration
    /// The prefixes the listener tracks writes under itself (broadcast tracking; every key when empty), or nil
    /// when it only receives what a tracked connection's `REDIRECT` sends it.
    let broadcast: [String]?
    let logger: Logger
    let onEvent: @Sendable (Event) -> Void
    private let stopped = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)

    /// A listener for the node `configuration` reaches, with broadcast tracking of the prefixes `broadcast` names
    /// (every key for an empty list), or none (nil).
    package init(
        configuration: RedisConnectionConfiguration, broadcast: [String]?, logger: Logger, onEvent: @escaping @Sendable (Event) -> Void
    ) {
        self.configuration = configuration
        self.broadcast = broadcast
        self.logger = logger
        self.onEvent = onEvent
    }

    /// The tracking command that redirects to `id`: broadcast tracking of the `broadcast` prefixes (sent by the
    /// listener for itself; every key for an empty list), or with nil the default mode, which tracks the keys the
    /// connection reads (sent by the cache's tracked connection).
    package static func trackingCommand(redirect id: Int64, broadcast prefixes: [String]?) -> RedisCommand {
        var arguments = ["TRACKING", "ON", "REDIRECT", String(id)]
        if let prefixes {
            arguments.append("BCAST")
            for prefix in prefixes { arguments += ["PREFIX", prefix] }
        }
        return RedisCommand("CLIENT", keys: arguments)
    }

    /// Whether an error reply means that tracking cannot work here at all (rather than not yet).
    package static func isRefusal(_ message: String) -> Bool {
        let upper = message.uppercased()
        return upper.contains("NOPERM") || upper.contains("UNKNOWN COMMAND") || upper.contains("UNKNOWN SUBCOMMAND")
            || upper.contains("DISABLED")
    }

    /// What one message on the connection means: nil for anything that is not an invalidation (`pong`, acks).
    /// Keys that are not valid UTF-8 are left out: no `String` key of this package's API can name them (listings
    /// skip them too).
    package static func event(of reply: RedisReply) -> Event? {
        guard let parts = reply.array, parts.count == 3, parts[0].text == "message", parts[1].text == channel else { return nil }
        if parts[2].isNull { return .flushed }
        guard let keys = parts[2].array else { return nil }
        return .invalidated(keys.compactMap { $0.bytes.flatMap { String(validating: $0, as: UTF8.self) } })
    }

    package func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        let thread = Thread { [self] in
            kv_name_this_thread("kv-invalidate")
            kv_block_sigpipe()
            run()
        }
        thread.start()
    }

    /// Stops without waiting: the thread ends after its current read, within about 100 ms.
    package func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    private var isStopped: Bool { stopped.load(ordering: .relaxed) }

    private func run() {
        var failures = 0
        while !isStopped {
            do throws(Failure) {
                try listen { failures = 0 }
            } catch {
                switch error {
                case .refused(let reason):
                    onEvent(.refused(reason))
                    return
                case .lost(let reason):
                    if isStopped { return }
                    onEvent(.lost(reason))
                    failures += 1
                    let settings = configuration.settings
                    let delay = min(settings.maxReconnectDelay, settings.reconnectDelay * (1 << min(failures - 1, 16)))
                    logger.debug("invalidation connection lost; reconnecting", metadata: ["node": "\(configuration.node)", "error": "\(reason)", "retryIn": "\(delay)"])
                    sleep(for: delay)
                }
            }
        }
    }

    private enum Failure: Error {
        case lost(String)
        case refused(String)
    }

    private func sleep(for delay: Duration) {
        let until = ContinuousClock.now + delay
        while !isStopped, ContinuousClock.now < until { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// One connection: set up, then read until it breaks, falls silent or the listener stops.
    private func listen(onArmed: () -> Void) throws(Failure) {
        let node = configuration.node
        let settings = configuration.settings
        let deadline = ContinuousClock.now + settings.connectTimeout + settings.commandTimeout
        let budget = RedisConnectBudget(connectTimeout: settings.connectTimeout, deadline: deadline, stillWanted: { [self] in !isStopped })
        let wire: RedisWire
        do throws(KVError) {
            wire = try RedisWire(configuration: configuration, budget: budget)
            for command in configuration.handshake where command.name != "PING" {
                _ = try wire.roundTrip(command, until: deadline) { () throws(KVError) in try budget.betweenSlices(node: node) }.orThrow(node: node)
            }
        } catch {
            throw .lost(error.message)
        }
        let id: Int64
        do throws(KVError) {
            let reply = try wire.roundTrip(RedisCommand("CLIENT", "ID"), until: deadline)
            if let message = reply.errorMessage { throw KVError(.serverError, "CLIENT ID: \(message)", node: node) }
            guard let value = reply.integer else { throw KVError(.serverError, "CLIENT ID answered \(reply)", node: node) }
            id = value
            if let broadcast {
                let tracking = try wire.roundTrip(Self.trackingCommand(redirect: id, broadcast: broadcast), until: deadline)
                if let message = tracking.errorMessage {
                    throw KVError(.serverError, "CLIENT TRACKING: \(message)", node: node)
                }
            }
            var subscribe: [UInt8] = []
            RedisCommand("SUBSCRIBE", Self.channel).encode(into: &subscribe)
            try wire.send(encoded: subscribe, until: deadline)
            let ack = try wire.readReply(until: deadline)
            if let message = ack.errorMessage { throw KVError(.serverError, "SUBSCRIBE \(Self.channel): \(message)", node: node) }
            guard let parts = ack.array, parts.first?.text == "subscribe" else {
                throw KVError(.serverError, "SUBSCRIBE answered \(ack)", node: node)
            }
        } catch {
            throw Self.isRefusal(error.message) ? .refused(error.message) : .lost(error.message)
        }
        onArmed()
        onEvent(.armed(id: id))
        var nextPing = ContinuousClock.now + Self.pingInterval
        var pongDue: ContinuousClock.Instant?
        let pongTimeout = min(settings.commandTimeout, Self.pingInterval)
        var ping: [UInt8] = []
        RedisCommand("PING").encode(into: &ping)
        while !isStopped {
            let now = ContinuousClock.now
            if let due = pongDue, now > due {
                throw .lost("no answer to PING within \(pongTimeout): the invalidation connection is silent")
            }
            if pongDue == nil, now >= nextPing {
                do throws(KVError) { try wire.send(encoded: ping, until: now + pongTimeout) } catch { throw .lost(error.message) }
                pongDue = now + pongTimeout
                nextPing = now + Self.pingInterval
                onEvent(.heartbeat)
            }
            let reply: RedisReply
            do throws(KVError) {
                reply = try wire.readReply(until: min(now + .milliseconds(100), pongDue ?? nextPing))
            } catch where error.code == .timeout {
                continue
            } catch {
                throw .lost(error.message)
            }
            if let event = Self.event(of: reply) {
                onEvent(event)
            } else if let parts = reply.array, parts.first?.text == "pong" {
                pongDue = nil
            } else if let message = reply.errorMessage {
                throw .lost(message)
            }
        }
    }
}
