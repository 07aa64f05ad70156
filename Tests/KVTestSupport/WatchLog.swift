public import KVCore
import Synchronization

/// The events of one watch feed, consumed in a child task while a test runs (``withWatch(_:_:)``), with waits on
/// what they show.
public final class WatchLog: Sendable {
    struct State {
        var events: [KVWatchEvent] = []
        var error: KVError?
    }

    private let state = Mutex(State())

    public init() {}

    /// Every event so far.
    public var events: [KVWatchEvent] { state.withLock { $0.events } }
    /// The error that ended the feed, if one did.
    public var error: KVError? { state.withLock { $0.error } }
    /// How many events so far (an index to look after).
    public var count: Int { state.withLock { $0.events.count } }

    func consume(_ feed: KVWatchFeed) async {
        do throws(KVError) {
            for try await event in feed { state.withLock { $0.events.append(event) } }
        } catch {
            state.withLock { $0.error = error }
        }
    }

    /// Waits until `condition` holds of the events from index `start` on (at most `limit`); whether it did.
    public func waitFor(after start: Int = 0, within limit: Duration = .seconds(10), _ condition: ([KVWatchEvent]) -> Bool) async -> Bool {
        await eventually(within: limit) {
            let events = self.events
            return condition(Array(events[min(start, events.count)...]))
        }
    }

    /// Waits until the feed ended with an error (at most `limit`).
    public func waitForError(within limit: Duration = .seconds(10)) async -> KVError? {
        _ = await eventually(within: limit) { state.withLock { $0.error != nil } }
        return error
    }

    /// Waits for a `resync` and then a `ready` after index `start`; whether both came.
    public func resyncThenReady(after start: Int, within limit: Duration = .seconds(20)) async -> Bool {
        await waitFor(after: start, within: limit) { events in
            guard let resync = events.firstIndex(where: \.isResync) else { return false }
            return events[resync...].contains(.ready)
        }
    }

    /// The keys signalled as changed from index `start` on.
    public func changedKeys(after start: Int = 0) -> [String] {
        state.withLock { state in
            state.events[min(start, state.events.count)...].compactMap { if case .changed(let key) = $0 { key } else { nil } }
        }
    }

    /// The `resync` events from index `start` on.
    public func resyncs(after start: Int = 0) -> [KVWatchEvent] {
        state.withLock { $0.events[min(start, $0.events.count)...].filter(\.isResync) }
    }
}

extension KVWatchEvent {
    /// Whether this is a `resync`.
    public var isResync: Bool {
        if case .resync = self { return true }
        return false
    }
}

/// Runs `body` while a child task consumes `feed` into a ``WatchLog``; the feed ends (its consumer cancelled) when
/// `body` does.
public func withWatch<T: Sendable>(_ feed: KVWatchFeed, _ body: (WatchLog) async throws -> T) async throws -> T {
    let log = WatchLog()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await log.consume(feed) }
        defer { group.cancelAll() }
        return try await body(log)
    }
}

/// Runs `body`, and `expire` if `body` is still running after `limit`. `expire` must end what `body` waits on
/// (shutting a store down ends its watch feeds with `shutdown`), so that a wait for an event that never comes
/// fails the test instead of hanging it.
public func withWatchdog<T: Sendable>(
    _ limit: Duration, expire: @escaping @Sendable () async -> Void, _ body: () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await Task.sleep(for: limit)
            await expire()
        }
        defer { group.cancelAll() }
        return try await body()
    }
}
