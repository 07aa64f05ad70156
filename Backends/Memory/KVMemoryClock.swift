import Synchronization
import KVCore

/// The time source of a ``KVMemoryStore``, in milliseconds. Inject ``KVManualClock`` so TTL tests need not sleep.
public struct KVMemoryClock: Sendable {
    /// The current time in milliseconds since an arbitrary fixed point.
    public let nowMilliseconds: @Sendable () -> UInt64

    public init(nowMilliseconds: @escaping @Sendable () -> UInt64) {
        self.nowMilliseconds = nowMilliseconds
    }

    /// The system's monotonic clock.
    public static let system: KVMemoryClock = {
        let origin = ContinuousClock.now
        return KVMemoryClock {
            let elapsed = ContinuousClock.now - origin
            return UInt64(elapsed.truncatedMilliseconds) + 1
        }
    }()
}

/// A clock that moves only when told to, for tests.
///
/// ```swift
/// let clock = KVManualClock()
/// let store = KVMemoryStore(options: .init(clock: clock.memoryClock))
/// clock.advance(by: .seconds(2))
/// ```
public final class KVManualClock: Sendable {
    private let now = Mutex<UInt64>(1)

    public init() {}

    public var memoryClock: KVMemoryClock {
        KVMemoryClock { [self] in now.withLock { $0 } }
    }

    /// Moves the clock forward, rounding up to whole milliseconds.
    public func advance(by duration: Duration) {
        let ms = UInt64(max(0, duration.roundedUpMilliseconds))
        now.withLock { $0 += ms }
    }
}
