import ArgumentParser
import KV

/// Converts a flag given in seconds to a `Duration`, refusing NaN, infinities, zero, negatives and values past
/// the flag's range with a usage error (exit 2) that names the range, so no conversion can trap.
enum SecondsFlag {
    static func duration(_ seconds: Double, flag: String, max: Double, maxName: String) throws -> Duration {
        guard seconds > 0, let duration = Duration.checkedSeconds(seconds, in: 0...max) else {
            throw ValidationError("\(flag) must be a number of seconds greater than 0 and at most \(Int(max)) (\(maxName))")
        }
        return duration
    }

    /// `--ttl` of `set` and `mset`.
    static func ttl(_ seconds: Double?) throws -> Duration? {
        try seconds.map { try duration($0, flag: "--ttl", max: KVLimits.maxTTLSeconds, maxName: "100 years") }
    }
}
