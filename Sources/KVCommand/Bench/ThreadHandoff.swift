import Dispatch
import Foundation
import Synchronization

/// The bare cost of what every call from Swift's cooperative pool to a Redis connection pays besides the round
/// trip: a task hands a continuation to a thread of its own, which resumes it at once (the engine's queue, its
/// semaphore and a continuation, with no I/O). `kv bench` measures it in the same run as the sequential rows, as
/// the floor they are read against.
final class ThreadHandoff: Sendable {
    private let waiting = Mutex<(continuations: [UnsafeContinuation<Void, Never>], stopped: Bool)>(([], false))
    private let wakeup = DispatchSemaphore(value: 0)

    init() {
        Thread { [self] in
            while true {
                wakeup.wait()
                let (continuations, stopped) = waiting.withLock { state in
                    defer { state.continuations.removeAll(keepingCapacity: true) }
                    return (state.continuations, state.stopped)
                }
                for continuation in continuations { continuation.resume() }
                if stopped { return }
            }
        }.start()
    }

    /// One hand-off there and back.
    func roundTrip() async {
        await withUnsafeContinuation { continuation in
            waiting.withLock { $0.continuations.append(continuation) }
            wakeup.signal()
        }
    }

    /// Ends the thread.
    func stop() {
        waiting.withLock { $0.stopped = true }
        wakeup.signal()
    }

    /// `count` sequential hand-offs.
    static func measure(_ count: Int) async throws -> BenchMeasurement {
        let handoff = ThreadHandoff()
        defer { handoff.stop() }
        return try await BenchMeasurement.sequential(count) { _ in await handoff.roundTrip() }
    }
}
