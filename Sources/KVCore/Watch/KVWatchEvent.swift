/// One event of a watch feed (``KVStore/watch(prefix:)``).
///
/// ```swift
/// for try await event in store.watch(prefix: "config:") {
///     switch event {
///     case .ready: break                      // every change from now on is signalled
///     case .changed(let key): reload(key)     // set, deleted, expired or evicted
///     case .resync: reloadAll()               // changes may have been missed: list the prefix again
///     }
/// }
/// ```
public enum KVWatchEvent: Sendable, Hashable, CustomStringConvertible {
    /// The feed is armed: every change after this point is signalled.
    case ready
    /// The key was set, deleted, expired or evicted (at least once per change; changes may coalesce).
    case changed(String)
    /// Changes may have been missed (the reason says why): list the prefix again. `ready` follows once the feed
    /// is armed again.
    case resync(String)

    public var description: String {
        switch self {
        case .ready: "ready"
        case .changed(let key): "changed \(KVError.render(key))"
        case .resync(let reason): "resync: \(reason)"
        }
    }
}
