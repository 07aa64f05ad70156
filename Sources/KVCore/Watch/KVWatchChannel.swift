import Synchronization

/// The buffer between a store and one watch feed's consumer. Bounded: when the consumer falls `capacity` events
/// behind, the buffered events are dropped for one `resync` and a `ready`, so a slow consumer costs a re-list, never
/// unbounded memory. The store sends; the consumer's iterator waits.
package final class KVWatchChannel: Sendable {
    private struct State {
        var events: [KVWatchEvent] = []
        var head = 0
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
        var failure: KVError?
    }

    /// The events a consumer may be behind before its feed resyncs.
    package let capacity: Int
    private let state = Mutex(State())

    package init(capacity: Int = 10_000) {
        self.capacity = max(2, capacity)
    }

    /// Queues `event` for the consumer (nothing after ``finish(throwing:)``).
    package func send(_ event: KVWatchEvent) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            if state.events.count - state.head >= capacity {
                state.events = [.resync("the consumer fell \(capacity) events behind"), .ready]
                state.head = 0
            }
            state.events.append(event)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Ends the feed: the consumer gets what is queued, then the end (or `error`).
    package func finish(throwing error: KVError? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.failure = error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Events queued now (for tests).
    package var queued: Int { state.withLock { $0.events.count - $0.head } }

    /// The next event, waiting for one; nil once finished (or the task is cancelled).
    func next() async throws(KVError) -> KVWatchEvent? {
        while true {
            let taken = state.withLock { state -> Result<KVWatchEvent?, KVError>? in
                if state.head < state.events.count {
                    let event = state.events[state.head]
                    state.head += 1
                    if state.head == state.events.count || state.head > 1024 {
                        state.events.removeFirst(state.head)
                        state.head = 0
                    }
                    return .success(event)
                }
                if state.finished { return state.failure.map { .failure($0) } ?? .success(nil) }
                return nil
            }
            if let taken { return try taken.get() }
            if Task.isCancelled { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state -> Bool in
                        if state.head < state.events.count || state.finished { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                finish()
            }
        }
    }
}
