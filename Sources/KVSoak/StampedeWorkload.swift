import KVCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The stampede workload's counts: how many callers got the value, and how many loads ran here and in every
/// process that shared the key prefix (counted in the store as each load starts).
public struct KVSoakStampedeReport: Codable, Sendable, Equatable {
    public var callers = 0
    /// Callers that got the loaded value.
    public var served = 0
    /// Loads this process ran.
    public var loadsHere = 0
    /// Loads every process ran, read from the store at the end.
    public var loadsEverywhere: Int64 = 0
}

/// `tasks` callers of `getOrLoad` on one missing key at once, with a loader that counts itself in the store.
struct StampedeWorkload {
    let store: any KVStore
    let configuration: KVSoakRunner.Configuration

    struct Value: Codable, Sendable { var loadedBy: Int32 }

    static func valueKey(_ prefix: String) -> String { prefix + "stampede" }
    static func loadsKey(_ prefix: String) -> String { prefix + "stampede:loads" }

    func run(shared: SharedCounts) async -> KVSoakStampedeReport {
        let client = KVClient(store: store)
        let loadTime = configuration.loadTime
        let leaseTTL = loadTime + .seconds(1)
        let policy = KVCachePolicy(jitter: 0, lease: configuration.lease ? KVCacheLease(ttl: leaseTTL, maxWait: leaseTTL * 3) : nil)
        let (store, prefix) = (self.store, configuration.keyPrefix)
        let outcomes = await withTaskGroup(of: (served: Bool, loaded: Bool, error: KVError.Code?).self) { group in
            for _ in 0..<configuration.tasks {
                group.addTask {
                    let loaded = LoadFlag()
                    do {
                        _ = try await client.getOrLoad(Value.self, for: Self.valueKey(prefix), ttl: .seconds(600), policy: policy) {
                            loaded.set()
                            _ = try await store.increment(Self.loadsKey(prefix), by: 1, ttlIfCreated: .seconds(600))
                            try await Task.sleep(for: loadTime)
                            return Value(loadedBy: getpid())
                        }
                        return (true, loaded.isSet, nil)
                    } catch {
                        return (false, loaded.isSet, (error as? KVError)?.code ?? .unavailable)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var report = KVSoakStampedeReport(callers: outcomes.count)
        for outcome in outcomes {
            var delta = KVSoakReport()
            if outcome.served { report.served += 1 }
            if outcome.loaded { report.loadsHere += 1 }
            if let code = outcome.error { delta.errors[code.description] = 1 }
            shared.add(delta, succeeded: outcome.served, now: .now)
        }
        report.loadsEverywhere = (try? await store.get(Self.loadsKey(prefix))).flatMap { $0.flatMap { KVAtomic.parseInteger($0) } } ?? 0
        return report
    }
}

/// Whether this caller's loader ran.
final class LoadFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
