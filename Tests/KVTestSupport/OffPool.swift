import Foundation

/// Runs blocking work (process launches, waits, sleeps) on a thread of its own, so tests never block
/// Swift's cooperative pool, which has only as many threads as cores.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
