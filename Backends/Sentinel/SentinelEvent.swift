import KVCore

/// One announcement of a sentinel about a failover of the monitored master, parsed from its pub/sub message.
///
/// Sentinel publishes each step of a failover on a channel named after the step. The leader of a failover
/// publishes them all, from `+elected-leader` to `+switch-master`; the other sentinels publish
/// `+switch-master` once they learn the new configuration. The payloads name the instance and its master:
///
/// ```text
/// +selected-slave     slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.1 6379
/// +promoted-slave     slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.1 6379
/// +switch-master      mymaster 10.0.0.1 6379 10.0.0.3 6379
/// -failover-abort-no-good-slave  master mymaster 10.0.0.1 6379
/// ```
struct SentinelEvent: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// A failover of `master` has started: a replica may be promoted at any moment, so writes to `master`
        /// may be lost from now on. `candidate` is the replica chosen, once the announcement names it.
        case failoverStarted(candidate: KVEndpoint?)
        /// `candidate` was promoted: it is a master now.
        case promoted(KVEndpoint)
        /// The sentinel now names `to` as the master.
        case switched(to: KVEndpoint)
        /// The failover of `master` ended without a promotion.
        case aborted
    }

    /// The master the event is about: the one being failed over.
    let master: KVEndpoint
    let kind: Kind

    /// The channels a store subscribes to on every sentinel.
    static let channels = [
        "+elected-leader", "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
        "+failover-state-wait-promotion", "+promoted-slave", "+switch-master",
        "-failover-abort-not-elected", "-failover-abort-no-good-slave", "-failover-abort-slave-timeout",
    ]

    /// The event a message on `channel` describes, if it is about the master called `masterName`.
    static func parse(channel: String, payload: String, masterName: String) -> SentinelEvent? {
        let words = payload.split(separator: " ").map(String.init)
        switch channel {
        case "+switch-master":
            // <name> <old ip> <old port> <new ip> <new port>
            guard words.count == 5, words[0] == masterName,
                  let old = endpoint(words[1], words[2]), let new = endpoint(words[3], words[4])
            else { return nil }
            return SentinelEvent(master: old, kind: .switched(to: new))
        case "+elected-leader", "+failover-state-select-slave", "-failover-abort-not-elected", "-failover-abort-no-good-slave",
            "-failover-abort-slave-timeout":
            // master <name> <ip> <port>
            guard words.count >= 4, words[0] == "master", words[1] == masterName, let master = endpoint(words[2], words[3]) else { return nil }
            return SentinelEvent(master: master, kind: channel.hasPrefix("-") ? .aborted : .failoverStarted(candidate: nil))
        case "+selected-slave", "+failover-state-send-slaveof-noone", "+failover-state-wait-promotion", "+promoted-slave":
            // slave <ip:port> <ip> <port> @ <name> <master ip> <master port>
            guard words.count >= 8, words[0] == "slave", words[4] == "@", words[5] == masterName,
                  let replica = endpoint(words[2], words[3]), let master = endpoint(words[6], words[7])
            else { return nil }
            return SentinelEvent(master: master, kind: channel == "+promoted-slave" ? .promoted(replica) : .failoverStarted(candidate: replica))
        default:
            return nil
        }
    }

    private static func endpoint(_ host: String, _ port: String) -> KVEndpoint? {
        guard !host.isEmpty, host.utf8.count <= 255, let port = Int(port), (1...65535).contains(port) else { return nil }
        return KVEndpoint(host: host, port: port)
    }
}
