import Synchronization

/// One load at a time per key in this process: the first caller loads (the leader), the others wait for its
/// outcome. A waiter that is cancelled stops waiting without touching the load; a leader that is cancelled
/// hands the load to a waiter, which loads again.
final class CacheFlights: Sendable {
    enum Outcome: Sendable {
        case value([UInt8]?)
        case failure(any Error)
        /// The leader was cancelled: a waiter takes over.
        case abandoned
    }

    private final class Flight: Sendable {
        /// The callers waiting, and the outcome once the leader is done (a waiter that comes later takes it).
        let state = Mutex<(waiters: [Int: CheckedContinuation<Outcome, Never>], outcome: Outcome?)>(([:], nil))
    }

    private struct State {
        var flights: [String: Flight] = [:]
        /// Keys whose background refresh is claimed: queued, or running.
        var refreshing: Set<String> = []
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// The process-wide flights of stores that are objects, by identity; other stores get flights per client.
    static let shared = Mutex<[ObjectIdentifier: CacheFlights]>([:])

    static func flights(for store: any KVStore, fallback: CacheFlights) -> CacheFlights {
        guard Swift.type(of: store as Any) is AnyObject.Type else { return fallback }
        let id = ObjectIdentifier(store as AnyObject)
        return shared.withLock { flights in
            if let existing = flights[id] { return existing }
            // Bounded: stores that come and go leave idle entries, dropped here (an idle entry holds no flight).
            if flights.count >= 1024 { flights = flights.filter { !$0.value.isIdle } }
            let created = CacheFlights()
            flights[id] = created
            return created
        }
    }

    private var isIdle: Bool { state.withLock { $0.flights.isEmpty && $0.refreshing.isEmpty } }

    /// Claims the one background refresh of `key`: false when a refresh of it is queued or running, or a load
    /// of it is under way. The claim is taken before the refresh is queued, so readers that find the value
    /// stale while the refresh waits to start do not queue more of them; ``releaseRefresh(_:)`` ends it.
    func claimRefresh(_ key: String) -> Bool {
        state.withLock { state in
            guard state.flights[key] == nil else { return false }
            return state.refreshing.insert(key).inserted
        }
    }

    /// Ends the claim ``claimRefresh(_:)`` took.
    func releaseRefresh(_ key: String) {
        _ = state.withLock { $0.refreshing.remove(key) }
    }

    /// Runs `load` for `key` unless a load of it is under way, in which case it waits for that one's outcome.
    /// Returns the outcome, and whether this call ran the load.
    func run(_ key: String, _ load: () async throws -> [UInt8]?) async throws -> (value: [UInt8]?, loaded: Bool) {
        while true {
            enum Role { case leader(Flight), waiter(Flight, Int) }
            let role = state.withLock { state -> Role in
                if let flight = state.flights[key] {
                    state.nextWaiter += 1
                    return .waiter(flight, state.nextWaiter)
                }
                let flight = Flight()
                state.flights[key] = flight
                return .leader(flight)
            }
            switch role {
            case .leader(let flight):
                let outcome: Outcome
                do {
                    outcome = .value(try await load())
                } catch {
                    outcome = Task.isCancelled ? .abandoned : .failure(error)
                }
                finish(key, flight, outcome)
                switch outcome {
                case .value(let value): return (value, true)
                case .failure(let error): throw error
                case .abandoned: throw KVError(.cancelled, "the task was cancelled while loading; a waiting caller loads instead", key: key)
                }
            case .waiter(let flight, let id):
                let outcome = await wait(flight, id: id)
                switch outcome {
                case .value(let value): return (value, false)
                case .failure(let error): throw error
                case .abandoned:
                    if Task.isCancelled { throw KVError(.cancelled, "the task was cancelled while waiting for a load", key: key) }
                    continue  // load it ourselves
                }
            }
        }
    }

    private func wait(_ flight: Flight, id: Int) async -> Outcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let done = flight.state.withLock { state -> Outcome? in
                    if let outcome = state.outcome { return outcome }
                    if Task.isCancelled { return .abandoned }
                    state.waiters[id] = continuation
                    return nil
                }
                if let done { continuation.resume(returning: done) }
            }
        } onCancel: {
            flight.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: .abandoned)
        }
    }

    private func finish(_ key: String, _ flight: Flight, _ outcome: Outcome) {
        state.withLock { state in
            if state.flights[key] === flight { state.flights[key] = nil }
        }
        let waiters = flight.state.withLock { state in
            defer { state.waiters = [:] }
            state.outcome = outcome
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }
}
