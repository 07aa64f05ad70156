import CHiredis
import Foundation
import KVCore
import KVRedisConfiguration
package import Logging
import Synchronization

/// A `SUBSCRIBE` to some channels on one of several nodes, read on a thread of its own (pub/sub pushes replies
/// nobody asked for, which the request/response connections cannot carry). On any error it moves to the next
/// node. Every message's channel and payload go to `onMessage`, on that thread.
///
/// ```swift
/// let switches = RedisSubscription(channels: ["+switch-master"], nodes: sentinels) { channel, payload in … }
/// switches.start(); …; switches.stop()
/// ```
package final class RedisSubscription: Sendable {
    let channels: [String]
    let nodes: @Sendable () -> [RedisConnectionConfiguration]
    let onMessage: @Sendable (_ channel: String, _ payload: String) -> Void
    let logger: Logger
    private let stopped = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)

    /// `nodes` is asked again before each connection, so a refreshed list is used.
    package init(
        channels: [String], logger: Logger, nodes: @escaping @Sendable () -> [RedisConnectionConfiguration],
        onMessage: @escaping @Sendable (_ channel: String, _ payload: String) -> Void
    ) {
        self.channels = channels
        self.nodes = nodes
        self.onMessage = onMessage
        self.logger = logger
    }

    package func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        let thread = Thread { [self] in
            kv_name_this_thread("kv-subscribe")
            kv_block_sigpipe()
            run()
        }
        thread.start()
    }

    /// Stops reading without waiting (it is called from async code): the thread ends after its current read or
    /// wait, within 200 ms.
    package func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    private func run() {
        var index = 0
        while !stopped.load(ordering: .relaxed) {
            let candidates = nodes()
            guard !candidates.isEmpty else {
                Thread.sleep(forTimeInterval: 0.2)
                continue
            }
            let configuration = candidates[index % candidates.count]
            index += 1
            do throws(KVError) {
                try listen(configuration)
            } catch {
                logger.debug("subscription lost; trying the next node", metadata: ["node": "\(configuration.node)", "error": "\(error.message)"])
                if !stopped.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.2) }
            }
        }
    }

    /// Subscribes on one node and reads until stopped or the connection breaks.
    private func listen(_ configuration: RedisConnectionConfiguration) throws(KVError) {
        let deadline = ContinuousClock.now + configuration.settings.connectTimeout + configuration.settings.commandTimeout
        let budget = RedisConnectBudget(
            connectTimeout: configuration.settings.connectTimeout, deadline: deadline, stillWanted: { [self] in !stopped.load(ordering: .relaxed) })
        let wire = try RedisWire(configuration: configuration, budget: budget)
        for command in configuration.handshake where command.name != "PING" {
            _ = try wire.roundTrip(command, until: deadline) { () throws(KVError) in try budget.betweenSlices(node: configuration.node) }
                .orThrow(node: configuration.node)
        }
        var subscribe: [UInt8] = []
        RedisCommand("SUBSCRIBE", keys: channels).encode(into: &subscribe)
        try wire.send(encoded: subscribe, until: .now + configuration.settings.commandTimeout)
        while !stopped.load(ordering: .relaxed) {
            let reply: RedisReply
            do throws(KVError) {
                reply = try wire.readReply(until: .now + .milliseconds(200))
            } catch where error.code == .timeout {
                continue  // nothing published; the reader keeps any partial reply
            }
            guard let parts = reply.array, parts.count == 3, parts[0].text == "message", let channel = parts[1].text, let payload = parts[2].text else { continue }
            onMessage(channel, payload)
        }
    }
}
