/// Limits that every store enforces before anything is sent.
public enum KVLimits {
    /// The largest value a store accepts: 512 MiB, the Redis bulk-string limit.
    public static let maxValueBytes = 512 * 1024 * 1024

    /// The longest TTL a store accepts: 100 years, far inside what Redis and `Duration` arithmetic can hold.
    public static let maxTTLSeconds: Double = 3_153_600_000
    /// The longest duration option (timeouts, intervals): one day.
    public static let maxOptionSeconds: Double = 86_400
    /// The longest `kv soak --duration`: 365 days.
    public static let maxSoakSeconds: Double = 31_536_000

    /// Checks a key: any non-empty UTF-8 string is allowed, control characters included.
    @inlinable
    public static func check(key: String) throws(KVError) {
        if key.isEmpty { throw .invalidArgument("keys must not be empty", key: key) }
    }

    /// Checks a key and a value's size.
    @inlinable
    public static func check(key: String, valueCount: Int) throws(KVError) {
        try check(key: key)
        if valueCount > maxValueBytes {
            throw KVError(.valueTooLarge, "value of \(valueCount) bytes exceeds the limit of \(maxValueBytes) bytes", key: key)
        }
    }

    /// Checks every entry of a batch, so that a bad entry fails the batch before anything is sent.
    public static func check(entries: [KVEntry]) throws(KVError) {
        for entry in entries { try check(key: entry.key, valueCount: entry.value.count) }
    }

    /// Checks every key of a batch.
    public static func check(keys: [String]) throws(KVError) {
        for key in keys { try check(key: key) }
    }
}
