import KVCore
import Synchronization

/// Commands waiting for their replies, completed exactly once: by the connection thread with the replies,
/// or earlier by cancellation, timeout of the connection, or shutdown.
///
/// The request carries the deadline of the whole call: one still queued when it passes is dropped unsent, and
/// reading its replies never waits beyond it.
final class RedisRequest: Sendable {
    typealias Outcome = Result<[RedisReply], RedisFailure>

    private enum State {
        case created
        case waiting(UnsafeContinuation<Outcome, Never>)
        case done(Outcome)
        case delivered
    }

    let commands: [RedisCommand]
    let deadline: ContinuousClock.Instant
    private let state = Mutex(State.created)

    init(_ commands: [RedisCommand], deadline: ContinuousClock.Instant) {
        self.commands = commands
        self.deadline = deadline
    }

    var isCompleted: Bool {
        state.withLock {
            switch $0 {
            case .created, .waiting: false
            case .done, .delivered: true
            }
        }
    }

    /// The outcome of a request completed before anyone waited for it (one run inline); nil if not complete.
    var completedOutcome: Outcome? {
        state.withLock { state in
            guard case .done(let outcome) = state else { return nil }
            state = .delivered
            return outcome
        }
    }

    /// Parks the caller until ``complete(_:)``; returns at once if it already happened.
    func wait(_ continuation: UnsafeContinuation<Outcome, Never>) {
        let ready: Outcome? = state.withLock { state in
            switch state {
            case .created:
                state = .waiting(continuation)
                return nil
            case .done(let outcome):
                state = .delivered
                return outcome
            case .waiting, .delivered:
                preconditionFailure("a request is awaited once")
            }
        }
        if let ready { continuation.resume(returning: ready) }
    }

    /// Completes the request; later completions are ignored (their replies are dropped).
    func complete(_ outcome: Outcome) {
        let continuation: UnsafeContinuation<Outcome, Never>? = state.withLock { state in
            switch state {
            case .created:
                state = .done(outcome)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .done, .delivered:
                return nil
            }
        }
        continuation?.resume(returning: outcome)
    }
}
