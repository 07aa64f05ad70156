/// A value and the time its key has left.
public struct KVValueWithTTL: Sendable, Hashable {
    public var value: [UInt8]
    /// ``KVTimeToLive/persistent`` or ``KVTimeToLive/expires(in:)``.
    public var ttl: KVTimeToLive

    public init(value: [UInt8], ttl: KVTimeToLive) {
        self.value = value
        self.ttl = ttl
    }
}

extension KVStore {
    /// ``compareAndSet(_:expected:new:options:)`` writing `new` with no expiry.
    ///
    /// ```swift
    /// let swapped = try await store.compareAndSet("cart:7", expected: old, new: updated)
    /// ```
    public func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?) async throws(KVError) -> Bool {
        try await compareAndSet(key, expected: expected, new: new, options: .default)
    }

    /// ``increment(_:by:ttlIfCreated:)`` by `delta` (1 by default), with no TTL for a created key.
    ///
    /// ```swift
    /// let hits = try await store.increment("hits:/home")
    /// ```
    @discardableResult
    public func increment(_ key: String, by delta: Int64 = 1) async throws(KVError) -> Int64 {
        try await increment(key, by: delta, ttlIfCreated: nil)
    }

    // MARK: Defaults a backend may rely on

    /// Default: `unsupported`. A store that cannot compare and write in one atomic step must not pretend to.
    public func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options: KVSetOptions) async throws(KVError) -> Bool {
        throw KVError(.unsupported, "this store has no atomic compare-and-set", key: key)
    }

    /// Default: `unsupported`. A store that cannot add in one atomic step must not pretend to.
    public func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        throw KVError(.unsupported, "this store has no atomic increment", key: key)
    }

    /// Default: ``get(_:)`` then ``ttl(_:)``, two calls (nil when the key vanished in between).
    public func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL? {
        guard let value = try await get(key) else { return nil }
        let ttl = try await ttl(key)
        return ttl == .missingKey ? nil : KVValueWithTTL(value: value, ttl: ttl)
    }
}

/// Validation shared by every store's atomic operations.
public enum KVAtomic {
    /// Checks a compare-and-set's key, values and options; returns the TTL in milliseconds, if any.
    public static func check(key: String, expected: [UInt8]?, new: [UInt8]?, options: KVSetOptions) throws(KVError) -> Int64? {
        try KVLimits.check(key: key, valueCount: max(expected?.count ?? 0, new?.count ?? 0))
        guard options.condition == .always else {
            throw .invalidArgument("compareAndSet takes its condition from `expected`; options.condition must be .always", key: key)
        }
        if new == nil, options.ttl != nil || options.keepTTL {
            throw .invalidArgument("a compareAndSet that deletes (new: nil) takes no TTL options", key: key)
        }
        return try options.ttlMilliseconds(key: key)
    }

    /// Checks an increment's key and TTL; returns the TTL in milliseconds, if any.
    public static func check(key: String, ttlIfCreated: Duration?) throws(KVError) -> Int64? {
        try KVLimits.check(key: key)
        return try KVSetOptions(ttl: ttlIfCreated).ttlMilliseconds(key: key)
    }

    /// Redis `INCRBY` arithmetic on a stored value: the value must be a decimal integer of 64 bits
    /// (an optional `-`, digits, no spaces or `+`, no leading zeros except `0`), and the sum must fit.
    public static func add(_ delta: Int64, to stored: [UInt8]?, key: String) throws(KVError) -> (value: Int64, bytes: [UInt8]) {
        var current: Int64 = 0
        if let stored {
            guard let parsed = parseInteger(stored) else {
                throw KVError(.notAnInteger, "the value is not a decimal integer of 64 bits", key: key)
            }
            current = parsed
        }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        if overflow { throw KVError(.overflow, "\(current) + \(delta) is outside the 64-bit range", key: key) }
        return (sum, Array(String(sum).utf8))
    }

    /// The integer `bytes` spell as Redis's `string2ll` accepts it, or nil.
    public static func parseInteger(_ bytes: [UInt8]) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        guard let first = digits.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
              first != UInt8(ascii: "0") || digits.count == 1,
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        if bytes == Array("-0".utf8) { return nil }
        return Int64(String(decoding: bytes, as: UTF8.self))
    }
}
