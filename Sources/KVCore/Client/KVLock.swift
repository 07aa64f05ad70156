import Foundation

/// A lock held in a store for at most a TTL, with a fencing token per acquisition.
///
/// The lock is a key holding its owner's random token, created with compare-and-set and so only when absent.
/// Each acquisition also takes a number from an `increment` counter beside it, while holding the lock, and
/// checks that it still holds it; so every successful acquisition's token is larger than those of all earlier
/// ones on the same store. Pass it to the systems you write to, and let them refuse a smaller one than they
/// have seen: a holder that paused past its TTL then cannot overwrite its successor's work.
///
/// ```swift
/// let lock = KVLock(name: "nightly-report", store: store, ttl: .seconds(30))
/// try await lock.withLock(timeout: .seconds(5)) { lease in
///     try await reports.write(day, fencingToken: lease.fencingToken)
/// }
/// ```
///
/// Guarantees per store are in docs/atomic-operations.md: one Redis node or the memory store hold them
/// exactly; on a ring the lock lives on its shard (a shard change moves it); on a cluster on its slot's master,
/// and an asynchronous failover can lose a lock a replica had not received yet.
public struct KVLock: Sendable {
    public let name: String
    public let store: any KVStore
    /// How long an acquisition holds the lock unless renewed.
    public let ttl: Duration

    /// The key of the lock, and of its fencing counter (both under one hash tag, so one slot or shard).
    public var key: String { "kvlock:{\(name)}" }
    public var fencingKey: String { "kvlock:{\(name)}:fence" }

    public init(name: String, store: any KVStore, ttl: Duration) {
        self.name = name
        self.store = store
        self.ttl = ttl
    }

    /// Tries to acquire the lock until `timeout` has passed, waiting a little longer between tries.
    ///
    /// - Returns: the lease, or nil when another owner held the lock throughout.
    /// - Throws: `invalidArgument` for a TTL that is not positive, `outcomeUnknown` (the lock may be taken:
    ///   it expires after its TTL), or any store error.
    public func acquire(timeout: Duration = .zero) async throws(KVError) -> KVLockLease? {
        let deadline = ContinuousClock.now + timeout
        var wait = Duration.milliseconds(2)
        while true {
            if let lease = try await tryAcquire() { return lease }
            let now = ContinuousClock.now
            guard now < deadline else { return nil }
            do { try await Task.sleep(for: min(.nanoseconds(Int64.random(in: 1...wait.nanosecondsClamped)), deadline - now)) } catch {
                throw KVError(.cancelled, "cancelled while waiting for lock \(name)", key: key)
            }
            wait = min(wait * 2, .milliseconds(100))
        }
    }

    /// One attempt: create the lock key, take a fencing token, check the lock is still ours.
    private func tryAcquire() async throws(KVError) -> KVLockLease? {
        let owner = Array(UUID().uuidString.utf8)
        guard try await store.compareAndSet(key, expected: nil, new: owner, options: .ttl(ttl)) else { return nil }
        let token = try await store.increment(fencingKey, by: 1, ttlIfCreated: nil)
        // The token counts only if the lock was ours from creating the key until now (it may have expired).
        guard try await store.compareAndSet(key, expected: owner, new: owner, options: KVSetOptions(keepTTL: true)) else { return nil }
        return KVLockLease(lock: self, owner: owner, fencingToken: token)
    }

    /// Acquires the lock (waiting up to `timeout`), runs `body` while renewing the lease at a third of its TTL,
    /// and releases it, also when `body` throws.
    ///
    /// - Throws: `conflict` when the lock could not be acquired in time, or lost (then `body` is cancelled),
    ///   an error `body` throws, or any store error.
    public func withLock<T: Sendable>(timeout: Duration = .zero, _ body: @escaping @Sendable (KVLockLease) async throws -> T) async throws -> T {
        guard let lease = try await acquire(timeout: timeout) else {
            throw KVError(.conflict, "lock \(name) is held by another owner (waited \(timeout))", key: key)
        }
        let result: Result<T, any Error>
        do {
            // The body and the renewals race: the body's result ends both; a lost lock ends both with its error.
            result = .success(try await withThrowingTaskGroup(of: Box<T>.self) { group in
                group.addTask { Box(value: try await body(lease)) }
                group.addTask {
                    while true {
                        try await Task.sleep(for: ttl / 3)
                        guard try await lease.renew() else {
                            throw KVError(.conflict, "lock \(name) was lost (its TTL ran out before a renewal)", key: key)
                        }
                    }
                }
                defer { group.cancelAll() }
                return try await group.next()!.value
            })
        } catch {
            result = .failure(error)
        }
        _ = try? await lease.release()
        return try result.get()
    }
}

/// A value passed out of a task group.
private struct Box<T: Sendable>: Sendable { let value: T }

/// One acquisition of a ``KVLock``.
public struct KVLockLease: Sendable {
    public let lock: KVLock
    /// This acquisition's random owner token, the value of the lock key.
    public let owner: [UInt8]
    /// Larger than the token of every earlier acquisition of the same lock on the same store.
    public let fencingToken: Int64

    /// Extends the lease to a full TTL from now, if it is still held.
    ///
    /// - Returns: false when the lock expired (and perhaps belongs to someone else now).
    public func renew() async throws(KVError) -> Bool {
        try await lock.store.compareAndSet(lock.key, expected: owner, new: owner, options: .ttl(lock.ttl))
    }

    /// Releases the lock if this lease still holds it.
    ///
    /// - Returns: false when it had expired already.
    @discardableResult
    public func release() async throws(KVError) -> Bool {
        try await lock.store.compareAndSet(lock.key, expected: owner, new: nil)
    }
}

extension Duration {
    /// Whole nanoseconds, at least 1, clamped to `Int64`.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        guard seconds < Int64.max / 1_000_000_000 else { return .max }
        return max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
