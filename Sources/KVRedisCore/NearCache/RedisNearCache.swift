import CHiredis
package import KVCore
package import KVRedisConfiguration
package import Logging
import Metrics
import Synchronization
#if DistributedTracingSupport
import Tracing
#endif

/// One node's near cache: the entries (``RedisNearCacheTable``) and the listener that keeps them honest
/// (``RedisInvalidationListener``). A hit is served only while the listener is armed; every loss of coverage
/// flushes the entries first and starts a new epoch, and a fetch is stored only if neither its key was
/// invalidated nor the epoch changed while it was in flight.
///
/// Two tracking modes, by configuration: with `prefixes`, the listener's own connection tracks writes under them
/// (broadcast); without, the session of ``fetching`` tracks the keys it reads (``RedisTrackedSession``), so the
/// server reports changes of those keys only. Misses are fetched on ``fetching``, a connection of the cache's own
/// to its node in both modes, so that what is stored always comes from the node whose changes the listener hears
/// (never from a replica a store may read from).
///
/// ```swift
/// switch cache.lookup(key) {
/// case .hit(let hit): return hit.value
/// case .miss(let ticket): let fetched = …; cache.complete(ticket, fetched)
/// }
/// ```
package final class RedisNearCache: Sendable {
    /// What ``lookup(_:)`` found.
    package enum Lookup: Sendable {
        case hit(RedisNearCacheTable.Hit)
        /// Fetch from the server; pass the ticket (nil when nothing may be cached now) to ``complete(_:value:ttl:)``.
        case miss(Ticket?)
    }

    /// A fetch in flight: its key's marker and the epoch it began in.
    package struct Ticket: Sendable {
        package let key: String
        let marker: UInt64
        let epoch: UInt64
    }

    /// The cache's state as health shows it.
    package enum Status: Sendable, Equatable, CustomStringConvertible {
        case connecting
        case armed
        case off(String)

        package var description: String {
            switch self {
            case .connecting: "connecting"
            case .armed: "armed"
            case .off(let reason): "off: \(reason)"
            }
        }
    }

    struct State {
        var table: RedisNearCacheTable
        var status = Status.connecting
        var epoch: UInt64 = 0
    }

    /// What a fetch after a miss returned.
    package struct Fetched: Sendable {
        package var value: [UInt8]?
        package var ttl: KVTimeToLive

        package init(value: [UInt8]?, ttl: KVTimeToLive) {
            self.value = value
            self.ttl = ttl
        }
    }

    /// A fetch of one key, shared by the callers that miss the key while it runs.
    package typealias Flight = RedisSingleFlight<Result<Fetched, KVError>>

    package let configuration: KVRedisNearCacheConfiguration
    let node: String
    /// The fetches in flight by key. A write or flush removes its keys' flights, so that a caller that comes
    /// after it never joins a fetch that began before it (read-your-writes).
    private let flights = Mutex<[KVExactKey: Flight]>([:])
    let logger: Logger
    let state: Mutex<State>
    private let listener = Mutex<RedisInvalidationListener?>(nil)
    /// The connection misses are fetched on, to this cache's node; its session tracks the keys it reads in the
    /// default mode.
    package let fetching: RedisPool
    private let session: RedisTrackedSession?
    let hits = Atomic<Int>(0)
    let misses = Atomic<Int>(0)
    let invalidations = Atomic<Int>(0)
    let flushes = Atomic<Int>(0)
    /// swift-metrics: `kv_near_cache_hits_total`, `…_misses_total`, `…_invalidations_total`,
    /// `…_flushes_total` by `reason`, and the `kv_near_cache_bytes` gauge, each with the node's name.
    let metrics: Metrics
    /// How spans name the node (``traceHit(_:)``).
    let database: Int
    let serverAddress: String
    let serverPort: Int?
    #if DistributedTracingSupport
    /// The tracer active when the cache was made; nil for the no-op one.
    let tracer: (any Tracer)?
    #endif

    struct Metrics: Sendable {
        let hits: Counter
        let misses: Counter
        let invalidations: Counter
        let bytes: Gauge
        let node: String

        init(node: String) {
            let dimensions = [("node", node)]
            hits = Counter(label: "kv_near_cache_hits_total", dimensions: dimensions)
            misses = Counter(label: "kv_near_cache_misses_total", dimensions: dimensions)
            invalidations = Counter(label: "kv_near_cache_invalidations_total", dimensions: dimensions)
            bytes = Gauge(label: "kv_near_cache_bytes", dimensions: dimensions)
            self.node = node
        }

        func flushed(_ reason: String) {
            Counter(label: "kv_near_cache_flushes_total", dimensions: [("node", node), ("reason", reason)]).increment()
        }
    }

    /// A cache for the node `connection` reaches; ``start()`` opens its invalidation connection.
    package init(connection: RedisConnectionConfiguration, configuration: KVRedisNearCacheConfiguration, logger: Logger) {
        self.configuration = configuration
        node = connection.node
        metrics = Metrics(node: connection.node)
        database = connection.settings.database
        serverAddress = connection.unixSocketPath ?? connection.endpoint.host
        serverPort = connection.unixSocketPath == nil ? connection.endpoint.port : nil
        #if DistributedTracingSupport
        tracer = RedisTracing.activeTracer()
        #endif
        self.logger = logger
        state = Mutex(State(table: RedisNearCacheTable(maxBytes: configuration.maxBytes)))
        session = configuration.prefixes.isEmpty ? RedisTrackedSession() : nil
        fetching = RedisPool(configuration: connection, size: 1, logger: logger, setup: session)
        // The listener and the session hold the cache until stop(), which every owner calls (RedisNodeClient at
        // close and in deinit); a weak reference would put every retain of the cache on the slow path of a side
        // table.
        session?.attach { self.flush("lost", detail: "the tracked connection closed: the server forgot the keys it read") }
        let listener = RedisInvalidationListener(
            configuration: connection, broadcast: configuration.prefixes.isEmpty ? nil : configuration.prefixes, logger: logger
        ) { event in
            self.handle(event)
        }
        self.listener.withLock { $0 = listener }
    }

    /// Starts the invalidation connection's thread; nothing is served from memory until it is armed.
    package func start() {
        listener.withLock { $0 }?.start()
    }

    /// Stops the invalidation connection and drops every entry.
    package func stop() {
        let listener = listener.withLock { listener in
            defer { listener = nil }
            return listener
        }
        listener?.stop()
        session?.detach()
        fetching.close()
        flights.withLock { $0.removeAll() }
        state.withLock { state in
            state.table.removeAll()
            state.epoch &+= 1
            state.status = .off("the store is shut down")
        }
    }

    /// Monotonic nanoseconds from the coarse clock (a few milliseconds of resolution): entries may outlive their
    /// deadline by that much, which a hit need not pay a precise clock read for.
    @inline(__always)
    package static func now() -> RedisNearCacheTable.Nanoseconds { kv_monotonic_coarse_ns() }

    /// The entry of `key`, when the cache is armed and holds one that has not expired.
    package func hit(_ key: String) -> RedisNearCacheTable.Hit? {
        guard configuration.covers(key) else { return nil }
        let now = Self.now()
        let hit = state.withLock { state in state.status == .armed ? state.table.lookup(key, now: now) : nil }
        if hit != nil {
            hits.add(1, ordering: .relaxed)
            metrics.hits.increment()
        }
        return hit
    }

    /// After a missed ``hit(_:)``: a ticket to fetch `key` with (nil when nothing may be cached now: the key is not
    /// covered or the cache is not armed).
    package func beginFetch(_ key: String) -> Ticket? {
        misses.add(1, ordering: .relaxed)
        metrics.misses.increment()
        guard configuration.covers(key) else { return nil }
        return state.withLock { state in
            guard state.status == .armed else { return nil }
            return Ticket(key: key, marker: state.table.begin(key), epoch: state.epoch)
        }
    }

    /// The entry of `key`, or a ticket to fetch it with.
    package func lookup(_ key: String) -> Lookup {
        if let hit = hit(key) { return .hit(hit) }
        return .miss(beginFetch(key))
    }

    /// Stores what a fetch returned (nil: the key is absent), unless its key was invalidated or coverage was lost
    /// since ``lookup(_:)``. The entry lives at most `KVRedisNearCacheConfiguration/maxAge` and never past the
    /// key's expiry.
    package func complete(_ ticket: Ticket?, value: [UInt8]?, ttl: KVTimeToLive) {
        guard let ticket else { return }
        let now = Self.now()
        let serverExpiry = ttl.remaining.map { now &+ Self.nanoseconds($0) }
        let deadline = now &+ Self.nanoseconds(configuration.maxAge)
        let bytes = state.withLock { state -> Int in
            guard state.epoch == ticket.epoch, state.status == .armed else {
                state.table.abandon(ticket.key, ticket: ticket.marker)
                return state.table.bytes
            }
            state.table.complete(ticket.key, ticket: ticket.marker, value: value, serverExpiry: serverExpiry, deadline: deadline)
            return state.table.bytes
        }
        metrics.bytes.record(bytes)
    }

    /// Keeps a decoded value beside `key`'s entry, if the entry still holds the very bytes it was decoded from.
    package func keep(_ value: KVDecodedValue, for key: String) {
        let bytes = state.withLock { state in
            state.table.keep(value, for: key)
            return state.table.bytes
        }
        metrics.bytes.record(bytes)
    }

    /// `duration` in nanoseconds, saturating.
    package static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// The fetch of `key` in flight, or a new one for the caller to run.
    package func flight(for key: String) -> Flight {
        flights.withLock { flights in
            if let flight = flights[KVExactKey(key)] { return flight }
            let flight = Flight()
            flights[KVExactKey(key)] = flight
            return flight
        }
    }

    /// Forgets `flight` once it has landed (unless a write already replaced it).
    package func land(_ key: String, _ flight: Flight) {
        flights.withLock { flights in
            if flights[KVExactKey(key)] === flight { flights[KVExactKey(key)] = nil }
        }
    }

    /// Callers waiting for another's fetch of `key` now (for tests).
    package func waitingForFetch(of key: String) -> Int {
        flights.withLock { $0[KVExactKey(key)]?.waiting ?? 0 }
    }

    /// Ends a fetch that failed.
    package func abandon(_ ticket: Ticket?) {
        guard let ticket else { return }
        state.withLock { $0.table.abandon(ticket.key, ticket: ticket.marker) }
    }

    /// Drops the entries of `keys` and cancels their fetches: before and after each of the client's own writes.
    package func invalidate<Keys: Sequence<String>>(_ keys: Keys) {
        state.withLock { state in
            for key in keys { state.table.invalidate(key) }
        }
        flights.withLock { flights in
            guard !flights.isEmpty else { return }
            for key in keys { flights[KVExactKey(key)] = nil }
        }
    }

    /// Drops every entry: coverage was lost (or may have been). `reason` is a metrics dimension (`flushed`,
    /// `lost`, `refused`, or a store's own, such as `failover`); `detail` goes to the debug log.
    package func flush(_ reason: String, detail: String = "") {
        flushes.add(1, ordering: .relaxed)
        metrics.flushed(reason)
        state.withLock { state in
            state.table.removeAll()
            state.epoch &+= 1
        }
        flights.withLock { $0.removeAll() }
        metrics.bytes.record(0)
        logger.debug("near cache flushed", metadata: ["node": "\(node)", "reason": "\(reason)", "detail": "\(detail)"])
    }

    func handle(_ event: RedisInvalidationListener.Event) {
        switch event {
        case .armed(let id):
            // Sessions redirect to the new listener before anything may be cached from them.
            session?.redirect(to: id)
            flights.withLock { $0.removeAll() }
            state.withLock { state in
                state.table.removeAll()
                state.epoch &+= 1
                if case .off = state.status { return }
                state.status = .armed
            }
        case .invalidated(let keys):
            invalidations.add(keys.count, ordering: .relaxed)
            metrics.invalidations.increment(by: keys.count)
            invalidate(keys)
        case .flushed:
            flush("flushed", detail: "the node's data was flushed")
        case .heartbeat:
            if session != nil { fetching.connections.first?.check() }
        case .lost(let reason):
            state.withLock { state in
                if state.status == .armed { state.status = .connecting }
            }
            session?.redirect(to: nil)
            flush("lost", detail: reason)
        case .refused(let reason):
            session?.redirect(to: nil)
            metrics.flushed("refused")
            flights.withLock { $0.removeAll() }
            state.withLock { state in
                state.table.removeAll()
                state.epoch &+= 1
                state.status = .off(reason)
            }
            logger.info("near cache off: the server refused tracking; the store works uncached", metadata: ["node": "\(node)", "reason": "\(reason)"])
        }
    }

    package var status: Status { state.withLock { $0.status } }

    /// Health details: status, entries, bytes and counters.
    package var details: [String: String] {
        let (status, count, bytes) = state.withLock { ($0.status, $0.table.count, $0.table.bytes) }
        return [
            "nearCache": status.description, "nearCacheEntries": String(count), "nearCacheBytes": String(bytes),
            "nearCacheHits": String(hits.load(ordering: .relaxed)), "nearCacheMisses": String(misses.load(ordering: .relaxed)),
            "nearCacheInvalidations": String(invalidations.load(ordering: .relaxed)), "nearCacheFlushes": String(flushes.load(ordering: .relaxed)),
        ]
    }
}
