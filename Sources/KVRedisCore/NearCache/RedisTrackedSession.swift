import Synchronization

/// The session of a near cache's tracked connection, in the default tracking mode (no prefixes): the connection
/// that fetches the cache's misses sends `CLIENT TRACKING ON REDIRECT <listener id>` when it connects, so the
/// server remembers each key it reads and reports the key's next change to the listener.
///
/// The server forgets those keys when the session ends, and a session redirected to a listener that is gone
/// reports nothing (RESP2 gives no signal). So a new listener id starts a new generation, which makes the
/// connection set up a new session before its next fetch, and the end of the current generation's session
/// flushes the cache through `onLost`.
final class RedisTrackedSession: RedisConnectionSetup {
    private struct Target {
        var generation: UInt64 = 1
        var listener: Int64?
    }

    private let target = Mutex(Target())
    private let onLost = Mutex<(@Sendable () -> Void)?>(nil)

    init() {}

    /// Calls `body` when the session of the current listener ends, until ``detach()``.
    func attach(onLost body: @escaping @Sendable () -> Void) {
        onLost.withLock { $0 = body }
    }

    /// Forgets the callback (and what it holds).
    func detach() {
        onLost.withLock { $0 = nil }
    }

    /// Redirects later sessions to `listener` (nil: none is subscribed; sessions then track nothing).
    func redirect(to listener: Int64?) {
        target.withLock { target in
            target.generation &+= 1
            target.listener = listener
        }
    }

    var generation: UInt64 { target.withLock { $0.generation } }

    func commands() -> (generation: UInt64, commands: [RedisCommand]) {
        target.withLock { target in
            (target.generation, target.listener.map { [RedisInvalidationListener.trackingCommand(redirect: $0, broadcast: nil)] } ?? [])
        }
    }

    func sessionEnded(generation: UInt64) {
        let current = target.withLock { $0.generation == generation && $0.listener != nil }
        guard current else { return }
        onLost.withLock { $0 }?()
    }
}
