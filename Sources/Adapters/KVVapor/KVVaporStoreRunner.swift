#if VaporSupport
public import KVCore
public import Vapor
import Synchronization

/// Runs a store's background work (`KVStore.run()`: a ring's heartbeats, a cluster's slot-map refresh, the memory
/// store's expiry sweep for watches) from the application's boot to its shutdown. `app.caches.use(.kv(store))` and
/// `app.sessions.use(.kv(store))` install it, once per store, so a store opened by URL needs no cast to `Service`.
/// It leaves the store open for its owner.
///
/// Vapor has no service group: the run is a task that this handler starts at boot and cancels (and, on the async
/// shutdown, awaits) at shutdown, so it never outlives the application.
public final class KVVaporStoreRunner: LifecycleHandler {
    public let store: any KVStore
    private let running = Mutex<Task<Void, Never>?>(nil)

    public init(store: any KVStore) {
        self.store = store
    }

    public func didBoot(_ application: Application) throws {
        let store = self.store
        running.withLock { task in
            guard task == nil else { return }
            task = Task { try? await store.run() }
        }
    }

    public func shutdown(_ application: Application) {
        running.withLock { $0 }?.cancel()
    }

    public func shutdownAsync(_ application: Application) async {
        guard let task = running.withLock({ $0 }) else { return }
        task.cancel()
        await task.value
    }

    /// Installs a runner for `store` unless one is installed already (known by identity for stores that are
    /// objects; a store that is a value gets a runner each time).
    static func install(for store: any KVStore, on application: Application) {
        guard type(of: store as Any) is AnyObject.Type else {
            application.lifecycle.use(KVVaporStoreRunner(store: store))
            return
        }
        let id = ObjectIdentifier(store as AnyObject)
        let installed = application.storage[RunnersKey.self] ?? []
        guard !installed.contains(id) else { return }
        application.storage[RunnersKey.self] = installed.union([id])
        application.lifecycle.use(KVVaporStoreRunner(store: store))
    }

    private struct RunnersKey: StorageKey {
        typealias Value = Set<ObjectIdentifier>
    }
}
#endif
