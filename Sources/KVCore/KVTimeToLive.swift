/// The result of `ttl(key)`: how long a key has left.
public enum KVTimeToLive: Sendable, Hashable, CustomStringConvertible {
    /// The key does not exist (or has expired).
    case missingKey
    /// The key exists and never expires.
    case persistent
    /// The key exists and expires after this long (millisecond precision).
    case expires(in: Duration)

    /// The time left, or `nil` for a key with no expiry or no key at all.
    public var remaining: Duration? {
        if case .expires(let duration) = self { return duration }
        return nil
    }

    /// Builds the result from a Redis-style `PTTL` reply: -2 missing, -1 persistent, else milliseconds.
    public init(pttl milliseconds: Int64) {
        switch milliseconds {
        case -2: self = .missingKey
        case ..<0: self = .persistent
        default: self = .expires(in: .milliseconds(milliseconds))
        }
    }

    public var description: String {
        switch self {
        case .missingKey: "missing key"
        case .persistent: "no expiry"
        case .expires(let duration):
            "expires in \(duration.truncatedMilliseconds) ms"
        }
    }
}
