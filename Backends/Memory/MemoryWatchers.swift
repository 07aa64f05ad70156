import KVCore
import Synchronization

/// The memory store's watch feeds: each with its prefix and channel. While any is registered, every stripe
/// records the keys its writes, deletes, expiries and evictions change, and the store hands them here after
/// releasing the stripe's lock.
final class MemoryWatchers: Sendable {
    private struct Watcher {
        let prefix: String
        let channel: KVWatchChannel
    }

    private struct State {
        var watchers: [Int: Watcher] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())
    /// Whether any feed is registered: the sweeper in `run()` works only then.
    let active = Atomic<Bool>(false)

    /// Registers a feed; `record` turns the stripes' recording on (called under this lock, so a change is either
    /// recorded before the feed is `ready` or seen by it). Returns the feed's id.
    func add(prefix: String, channel: KVWatchChannel, record: (Bool) -> Void) -> Int {
        state.withLock { state in
            if state.watchers.isEmpty {
                record(true)
                active.store(true, ordering: .relaxed)
            }
            state.nextID += 1
            state.watchers[state.nextID] = Watcher(prefix: prefix, channel: channel)
            channel.send(.ready)
            return state.nextID
        }
    }

    func remove(_ id: Int, record: (Bool) -> Void) {
        state.withLock { state in
            guard state.watchers.removeValue(forKey: id) != nil, state.watchers.isEmpty else { return }
            record(false)
            active.store(false, ordering: .relaxed)
        }
    }

    /// Signals each changed key to the feeds whose prefix it has.
    func deliver(_ keys: [String]) {
        state.withLock { state in
            for watcher in state.watchers.values {
                for key in keys where key.utf8.starts(with: watcher.prefix.utf8) { watcher.channel.send(.changed(key)) }
            }
        }
    }

    /// Ends every feed with `shutdown`.
    func finishAll() {
        state.withLock { state in
            for watcher in state.watchers.values { watcher.channel.finish(throwing: .shutdown(node: "memory")) }
        }
    }
}
