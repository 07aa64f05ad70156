/// How `set` and `batchSet` write: expiry and condition.
///
/// ```swift
/// try await store.set("session:42", bytes, options: .init(ttl: .seconds(1800), condition: .onlyIfAbsent))
/// ```
public struct KVSetOptions: Sendable, Hashable {
    /// When a write happens.
    public enum Condition: Sendable, Hashable {
        /// Always write (create or replace).
        case always
        /// Write only if the key does not exist (create).
        case onlyIfAbsent
        /// Write only if the key exists (replace).
        case onlyIfPresent
    }

    /// The key expires after this long. `nil` means no expiry, and removes any expiry the key had
    /// (as Redis `SET` does), unless ``keepTTL`` is set.
    public var ttl: Duration?
    /// Keep the expiry the key already has. Cannot be combined with ``ttl``.
    public var keepTTL: Bool
    public var condition: Condition

    @inlinable
    public init(ttl: Duration? = nil, keepTTL: Bool = false, condition: Condition = .always) {
        self.ttl = ttl
        self.keepTTL = keepTTL
        self.condition = condition
    }

    /// Write always, with no expiry. (Computed, so a hot loop passing it reads no lazily initialised global.)
    @inlinable
    public static var `default`: KVSetOptions { KVSetOptions() }

    /// Write always, expiring after `duration`.
    public static func ttl(_ duration: Duration) -> KVSetOptions { KVSetOptions(ttl: duration) }

    /// The TTL in whole milliseconds, rounded up (anything under 1 ms becomes 1 ms), or `nil` for no TTL.
    ///
    /// - Throws: ``KVError/Code/invalidArgument`` for a TTL of zero or less, over ``KVLimits/maxTTLSeconds``,
    ///   or combined with `keepTTL`.
    @inlinable
    public func ttlMilliseconds(key: String? = nil) throws(KVError) -> Int64? {
        guard let ttl else { return nil }
        return try Self.validatedMilliseconds(ttl, keepTTL: keepTTL, key: key)
    }

    @usableFromInline
    static func validatedMilliseconds(_ ttl: Duration, keepTTL: Bool, key: String?) throws(KVError) -> Int64 {
        if keepTTL { throw .invalidArgument("ttl and keepTTL cannot be combined", key: key) }
        guard ttl > .zero else { throw .invalidArgument("ttl must be greater than zero, got \(ttl)", key: key) }
        guard ttl <= .seconds(Int64(KVLimits.maxTTLSeconds)) else {
            throw .invalidArgument("ttl must be at most \(Int64(KVLimits.maxTTLSeconds)) seconds (100 years), got \(ttl)", key: key)
        }
        return ttl.roundedUpMilliseconds
    }
}
