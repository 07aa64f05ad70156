extension Duration {
    /// Whole milliseconds, rounded up (a TTL or timeout never ends early).
    /// Saturates at `Int64.min` and `Int64.max` instead of trapping.
    package var roundedUpMilliseconds: Int64 { milliseconds(roundingUp: true) }

    /// Whole milliseconds, rounded down.
    /// Saturates at `Int64.min` and `Int64.max` instead of trapping.
    package var truncatedMilliseconds: Int64 { milliseconds(roundingUp: false) }

    private func milliseconds(roundingUp: Bool) -> Int64 {
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = ms.addingReportingOverflow((attoseconds + (roundingUp ? perMillisecond - 1 : 0)) / perMillisecond)
        return sumOverflow ? .max : sum
    }

    /// `seconds` as a duration when it is finite and within `range`; `nil` otherwise (NaN, ±inf, out of range),
    /// so no conversion can overflow. Rounded up to whole nanoseconds.
    ///
    /// ```swift
    /// Duration.checkedSeconds(1.5, in: 0...KVLimits.maxTTLSeconds)   // 1.5 s
    /// Duration.checkedSeconds(1e300, in: 0...KVLimits.maxTTLSeconds) // nil
    /// ```
    package static func checkedSeconds(_ seconds: Double, in range: ClosedRange<Double>) -> Duration? {
        guard seconds.isFinite, range.contains(seconds), abs(seconds) < 9.2e9 else { return nil }
        return .nanoseconds(Int64((seconds * 1e9).rounded(.up)))
    }
}
