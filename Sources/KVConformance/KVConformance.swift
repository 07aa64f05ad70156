public import KVCore

/// How the conformance suite gets stores: a factory for a fresh, empty store, and optionally a way to
/// move the store's clock so TTL cases need not sleep.
///
/// ```swift
/// let harness = KVConformanceHarness { KVMemoryStore() }
/// for testCase in KVConformance.cases { try await testCase.run(harness) }
/// ```
public struct KVConformanceHarness: Sendable {
    /// Returns a fresh, empty store. Called once per case; the case shuts the store down when done.
    public var makeStore: @Sendable () async throws -> any KVStore
    /// Moves time forward for the stores made by ``makeStore``; `nil` means the suite sleeps for real.
    public var advanceTime: (@Sendable (Duration) async -> Void)?
    /// The size of the "large value" case; 16 MiB by default.
    public var largeValueBytes: Int
    /// Writes keys as raw bytes past the store, as another client would; `nil` for stores no other client
    /// reaches (then the cases about keys that are not UTF-8 have nothing to check).
    public var rawKeys: KVRawKeyAccess?
    /// Whether the store implements `compareAndSet` and `increment`. When `false`, the suite checks that both
    /// throw `unsupported` and write nothing, rather than fall back to something that is not atomic.
    public var atomicOperations: Bool

    public init(
        largeValueBytes: Int = 16 * 1024 * 1024,
        advanceTime: (@Sendable (Duration) async -> Void)? = nil,
        rawKeys: KVRawKeyAccess? = nil,
        atomicOperations: Bool = true,
        makeStore: @escaping @Sendable () async throws -> any KVStore
    ) {
        self.makeStore = makeStore
        self.advanceTime = advanceTime
        self.largeValueBytes = largeValueBytes
        self.rawKeys = rawKeys
        self.atomicOperations = atomicOperations
    }
}

/// Raw access to a store's server, by key bytes that need not be UTF-8: where the store would put the key.
///
/// ```swift
/// KVRawKeyAccess(
///     write: { store, key, value in try await myRawClient(store).set(key, value) },
///     read: { store, key in try await myRawClient(store).get(key) })
/// ```
public struct KVRawKeyAccess: Sendable {
    public var write: @Sendable (_ store: any KVStore, _ key: [UInt8], _ value: [UInt8]) async throws -> Void
    public var read: @Sendable (_ store: any KVStore, _ key: [UInt8]) async throws -> [UInt8]?

    public init(
        write: @escaping @Sendable (_ store: any KVStore, _ key: [UInt8], _ value: [UInt8]) async throws -> Void,
        read: @escaping @Sendable (_ store: any KVStore, _ key: [UInt8]) async throws -> [UInt8]?
    ) {
        self.write = write
        self.read = read
    }
}

/// One case of the contract: a name and a body that throws ``KVConformanceFailure`` when the store disobeys.
public struct KVConformanceCase: Sendable, CustomStringConvertible {
    public let name: String
    let body: @Sendable (KVConformanceContext) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (KVConformanceContext) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var description: String { name }

    /// Runs the case on a fresh store from `harness`, then shuts the store down.
    public func run(_ harness: KVConformanceHarness) async throws {
        let store = try await harness.makeStore()
        let context = KVConformanceContext(store: store, harness: harness)
        do {
            try await body(context)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }
}

/// The suite: every case of the `KVStore` contract.
public enum KVConformance {
    public static let cases: [KVConformanceCase] =
        BasicCases.all + KeyCases.all + RawKeyCases.all + ValueCases.all + AtomicCases.all + TTLCases.all + ConditionalCases.all
        + ListCases.all + BatchCases.all + ConcurrencyCases.all + WatchCases.all + LifecycleCases.all

    /// Runs every case and returns the failures (empty when the store conforms).
    public static func run(_ harness: KVConformanceHarness) async -> [(case: String, error: any Error)] {
        var failures: [(case: String, error: any Error)] = []
        for testCase in cases {
            do { try await testCase.run(harness) } catch { failures.append((testCase.name, error)) }
        }
        return failures
    }
}
