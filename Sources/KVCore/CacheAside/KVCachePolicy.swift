public import Logging

/// How ``KVClient/getOrLoad(_:for:ttl:policy:tags:load:)`` caches what its loader returns.
///
/// The defaults cache for the TTL with 10% jitter and share one load among concurrent callers in the process.
///
/// ```swift
/// let policy = KVCachePolicy(staleFor: .seconds(30), refresher: refresher, lease: KVCacheLease())
/// let report = try await cache.getOrLoad(Report.self, for: "daily", ttl: .seconds(60), policy: policy) { try await build() }
/// ```
public struct KVCachePolicy: Sendable {
    /// After the TTL, how long the old value may still be served (stale-while-revalidate and stale-if-error).
    /// Zero: an expired entry is a miss.
    public var staleFor: Duration
    /// Within ``staleFor``: serve the old value at once and refresh it in the background (on ``refresher``
    /// when it runs; otherwise the caller that found it stale refreshes it while the others get the old value).
    /// False: callers wait for the refresh, and get the old value only if the loader fails.
    public var revalidateInBackground: Bool
    /// Within ``staleFor``: a loader that throws gives the old value (the error is logged at debug and counted
    /// in `kv_cache_stale_on_error_total`).
    public var staleIfError: Bool
    /// A loader that returns nil is remembered for this long (negative caching); nil: not remembered.
    public var negativeTTL: Duration?
    /// TTLs vary by up to this fraction either way, so keys written together do not expire together.
    public var jitter: Double
    /// One load across processes: a short lease per key (opt-in).
    public var lease: KVCacheLease?
    /// Runs background refreshes (a `Service` to add to your service group).
    public var refresher: KVCacheRefresher?
    /// Where a refresh that failed while an old value was served is logged (at debug).
    public var logger: Logger

    public init(
        staleFor: Duration = .zero, revalidateInBackground: Bool = true, staleIfError: Bool = true, negativeTTL: Duration? = nil,
        jitter: Double = 0.1, lease: KVCacheLease? = nil, refresher: KVCacheRefresher? = nil, logger: Logger = KVLogging.disabled
    ) {
        self.logger = logger
        self.staleFor = staleFor
        self.revalidateInBackground = revalidateInBackground
        self.staleIfError = staleIfError
        self.negativeTTL = negativeTTL
        self.jitter = jitter
        self.lease = lease
        self.refresher = refresher
    }

    /// `ttl` varied by up to ±``jitter``, at least 1 ms.
    func jittered(_ ttl: Duration) -> Duration {
        let fraction = min(max(jitter, 0), 0.9)
        guard fraction > 0 else { return ttl }
        let factor = Double.random(in: (1 - fraction)...(1 + fraction))
        return max(.milliseconds(1), ttl * factor)
    }
}

/// A lease per key, so that among several processes one loads a missing key and the others wait for its value.
/// A holder that dies is replaced once its lease expires; a waiter loads by itself after ``maxWait`` at most,
/// so nothing waits forever.
///
/// ```swift
/// let lease = KVCacheLease(ttl: .seconds(5), maxWait: .seconds(3))
/// ```
public struct KVCacheLease: Sendable {
    /// How long a lease lasts: longer than a load takes.
    public var ttl: Duration
    /// How long a process waits for another's load before loading itself.
    public var maxWait: Duration
    /// How often a waiting process looks for the value (and for an expired lease).
    public var pollInterval: Duration

    public init(ttl: Duration = .seconds(10), maxWait: Duration = .seconds(15), pollInterval: Duration = .milliseconds(20)) {
        self.ttl = ttl
        self.maxWait = maxWait
        self.pollInterval = pollInterval
    }
}
