import KVCore

/// The bounds of one connect: the TCP connect and the TLS handshake end by ``connectDeadline`` (the connect
/// timeout, or the call's deadline if sooner), and the handshake's commands (`AUTH`, `SELECT`, …) by
/// ``deadline``, the call's. Waits are cut into slices of at most ``slice``, and ``whileWaiting`` runs between
/// them: the connection thread fails the requests queued behind the connect whose own deadlines passed. Once
/// ``stillWanted`` says no (the connection was closed), the connect ends with `shutdown`.
///
/// ```swift
/// let budget = RedisConnectBudget(connectTimeout: .seconds(1), deadline: .now + .seconds(2))
/// let wire = try RedisWire(configuration: configuration, budget: budget)
/// ```
struct RedisConnectBudget {
    /// The call's deadline (the latest of the requests waiting for the connect).
    let deadline: ContinuousClock.Instant
    /// When the TCP connect and the TLS handshake must be done.
    let connectDeadline: ContinuousClock.Instant
    /// The connect timeout, for messages.
    let connectTimeout: Duration
    let whileWaiting: () -> Void
    let stillWanted: () -> Bool
    static let slice = Duration.milliseconds(50)

    init(
        connectTimeout: Duration, deadline: ContinuousClock.Instant, whileWaiting: @escaping () -> Void = {},
        stillWanted: @escaping () -> Bool = { true }
    ) {
        self.deadline = deadline
        self.connectTimeout = connectTimeout
        connectDeadline = min(ContinuousClock.now + connectTimeout, deadline)
        self.whileWaiting = whileWaiting
        self.stillWanted = stillWanted
    }

    /// Runs between two slices of a wait: ``whileWaiting``, then `shutdown` if the connection is no longer wanted.
    func betweenSlices(node: String) throws(KVError) {
        whileWaiting()
        if !stillWanted() { throw KVError.shutdown(node: node) }
    }

    /// How long the next wait before `end` may last, in whole milliseconds (at least 1), or nil once `end` passed.
    func nextWait(before end: ContinuousClock.Instant) -> Int32? {
        let left = end - ContinuousClock.now
        guard left > .zero else { return nil }
        return Int32(clamping: max(1, min(left, Self.slice).roundedUpMilliseconds))
    }

    /// What bounded a connect that ran out of time, for messages: the connect timeout or the call's deadline.
    var connectBound: String {
        connectDeadline < deadline ? "the connect timeout of \(connectTimeout)" : "the call's deadline"
    }
}
