package import KVCore

/// Whether running a command a second time can change its answer or the data.
package enum RedisCommandSafety: Sendable, Comparable {
    /// An unconditional write, a count or anything else whose second run may answer differently
    /// (`SET … NX|XX`, `DEL`, `UNLINK`, `INCR`, …).
    case unsafe
    /// A write whose second run leaves the same data and gives the same answer: `SET key value [PX ms|KEEPTTL]`.
    case idempotentWrite
    /// A command that changes nothing (`GET`, `MGET`, `PTTL`, `EXISTS`, `SCAN`, `PING`, …).
    case read

    /// The commands that only read (`WAIT` only waits for replication).
    static let reads: Set<String> = ["GET", "MGET", "PTTL", "TTL", "EXISTS", "SCAN", "PING", "INFO", "ECHO", "DBSIZE", "CLUSTER", "TYPE", "STRLEN", "WAIT"]

    /// The safety of one command, from its name and, for `SET`, its options.
    package init(_ command: RedisCommand) {
        let name = command.name
        if Self.reads.contains(name) {
            // `CLUSTER` subcommands the engine sends (SLOTS, KEYSLOT, NODES, COUNTKEYSINSLOT, GETKEYSINSLOT) only read.
            self = .read
        } else if name == "SET" {
            let options = (3..<max(3, command.count)).map { command.argument($0).uppercased() }
            self = options.contains("NX") || options.contains("XX") || options.contains("GET") ? .unsafe : .idempotentWrite
        } else {
            self = .unsafe
        }
    }

    /// The safety of a pipeline: that of its least safe command.
    package init(_ commands: [RedisCommand]) {
        self = commands.map(RedisCommandSafety.init).min() ?? .read
    }
}

/// The one retry policy of the engine, for every store: what happens to a request that failed.
///
/// | Failure | read | unconditional `SET` | conditional `SET`, `DEL`, counts |
/// | --- | --- | --- | --- |
/// | nothing was written (refused connect, dropped unsent, closed before the write) | retried | retried | retried |
/// | connection broke after the write | retried | retried | `outcomeUnknown` |
/// | deadline passed (`timeout`) | surfaced | surfaced | surfaced (the message says it may have run) |
/// | error reply, `authenticationFailed`, `cancelled`, `shutdown` | surfaced | surfaced | surfaced |
///
/// Cluster redirects (`MOVED`, `ASK`) and transient states (`TRYAGAIN`, `CLUSTERDOWN`, `LOADING`,
/// `MASTERDOWN`) are replies saying the command did not run; the cluster router retries them within its budget.
package enum RedisRetryPolicy {
    /// Attempts of one call before the last failure is surfaced, however fast they fail.
    package static let maxAttempts = 3

    package enum Decision: Equatable, Sendable {
        /// Send the request again (on a fresh connection, or another node), within the call's deadline.
        case retry
        /// Give the caller this error.
        case surface(KVError)
    }

    /// Error replies that say a command did not run because of the node's state, not the command's: a
    /// demoted master refusing a write (`READONLY`), a master that lost its replicas (`MASTERDOWN`), a node
    /// loading its data (`LOADING`). A router that can find another node retries them within its budget.
    package static let nodeStateRefusals = ["READONLY", "MASTERDOWN", "LOADING"]

    /// Whether `error` is one of the ``nodeStateRefusals``.
    package static func refusedByNodeState(_ error: KVError) -> Bool {
        error.code == .serverError && nodeStateRefusals.contains { error.message.hasPrefix($0) }
    }

    /// What to do after `failure` of a request whose least safe command is `safety`.
    package static func decide(_ failure: RedisFailure, safety: RedisCommandSafety) -> Decision {
        let error = failure.error
        switch error.code {
        case .connectionFailed:
            if !failure.mayHaveRun || safety != .unsafe { return .retry }
            return .surface(error.with(
                code: .outcomeUnknown,
                message: "the connection broke after the command was sent (\(error.message)); it may have run, and sending it again could change its answer"))
        case .timeout where failure.mayHaveRun && safety == .unsafe:
            return .surface(error.with(message: error.message + "; the command may have run"))
        default:
            return .surface(error)
        }
    }
}
