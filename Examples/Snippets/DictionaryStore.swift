// Samples from docs/writing-a-backend.md: a complete backend, which Tests/DocsTests runs the conformance suite on.
import KV
public import Logging
import Synchronization
public import KVCore

/// A store on an in-process dictionary with expiry: the smallest complete `KVStore`.
public final class DictionaryStore: KVStore {
    private struct Entry {
        var value: [UInt8]
        var expiresAt: ContinuousClock.Instant?
    }

    private struct State {
        var entries: [KVExactKey: Entry] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Runs `body` on the entries with expired ones removed (for `keys`, or all), or throws `shutdown`.
    private func withEntries<T>(
        expiring keys: [String]? = nil, _ body: (inout [KVExactKey: Entry], ContinuousClock.Instant) throws(KVError) -> T
    ) throws(KVError) -> T {
        let now = ContinuousClock.now
        return try state.withLock { (state) throws(KVError) -> T in
            if state.closed { throw KVError.shutdown(node: "dictionary") }
            if let keys {
                for key in keys where (state.entries[KVExactKey(key)]?.expiresAt).map({ $0 <= now }) ?? false {
                    state.entries[KVExactKey(key)] = nil
                }
            } else {
                state.entries = state.entries.filter { $0.value.expiresAt.map { $0 > now } ?? true }
            }
            return try body(&state.entries, now)
        }
    }

    public func set(_ key: String, _ value: [UInt8], options: KVSetOptions) async throws(KVError) -> Bool {
        try KVLimits.check(key: key, valueCount: value.count)
        let ttl = try options.ttlMilliseconds(key: key)
        return try withEntries(expiring: [key]) { entries, now in
            let existing = entries[KVExactKey(key)]
            if options.condition == .onlyIfAbsent && existing != nil { return false }
            if options.condition == .onlyIfPresent && existing == nil { return false }
            let expiresAt = ttl.map { now + .milliseconds($0) } ?? (options.keepTTL ? existing?.expiresAt : nil)
            entries[KVExactKey(key)] = Entry(value: value, expiresAt: expiresAt)
            return true
        }
    }

    public func get(_ key: String) async throws(KVError) -> [UInt8]? {
        try KVLimits.check(key: key)
        return try withEntries(expiring: [key]) { entries, _ in entries[KVExactKey(key)]?.value }
    }

    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive {
        try KVLimits.check(key: key)
        return try withEntries(expiring: [key]) { entries, now in
            guard let entry = entries[KVExactKey(key)] else { return .missingKey }
            return entry.expiresAt.map { .expires(in: $0 - now) } ?? .persistent
        }
    }

    public func delete(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        return try withEntries(expiring: [key]) { entries, _ in entries.removeValue(forKey: KVExactKey(key)) != nil }
    }

    /// Atomic because the whole comparison and write happen under the lock.
    public func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options: KVSetOptions) async throws(KVError) -> Bool {
        let ttl = try KVAtomic.check(key: key, expected: expected, new: new, options: options)
        return try withEntries(expiring: [key]) { entries, now in
            let existing = entries[KVExactKey(key)]
            guard existing?.value == expected else { return false }
            if let new {
                let expiresAt = ttl.map { now + .milliseconds($0) } ?? (options.keepTTL ? existing?.expiresAt : nil)
                entries[KVExactKey(key)] = Entry(value: new, expiresAt: expiresAt)
            } else {
                entries[KVExactKey(key)] = nil
            }
            return true
        }
    }

    /// `KVAtomic.add` gives Redis `INCRBY` semantics: parsing, overflow, decimal text.
    public func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        let ttl = try KVAtomic.check(key: key, ttlIfCreated: ttlIfCreated)
        return try withEntries(expiring: [key]) { (entries, now) throws(KVError) -> Int64 in
            let existing = entries[KVExactKey(key)]
            let (value, bytes) = try KVAtomic.add(delta, to: existing?.value, key: key)
            let expiresAt = existing.map(\.expiresAt) ?? ttl.map { now + .milliseconds($0) }
            entries[KVExactKey(key)] = Entry(value: bytes, expiresAt: expiresAt)
            return value
        }
    }

    public func list(prefix: String) -> KVKeySequence {
        do {
            let keys = try withEntries { entries, _ in entries.keys.map(\.key).filter { $0.utf8.starts(with: prefix.utf8) } }
            return KVKeySequence(keys: keys)
        } catch {
            return KVKeySequence(failing: error)
        }
    }

    public func health() async throws(KVError) -> KVHealthReport {
        try withEntries(expiring: []) { _, _ in }
        return KVHealthReport(backend: "dictionary", nodes: [KVNodeHealth(name: "dictionary", address: "in-process", status: .healthy)])
    }

    public func locate(_ key: String) async throws(KVError) -> KVLocation {
        try KVLimits.check(key: key)
        try withEntries(expiring: []) { _, _ in }
        return KVLocation(key: key, node: "dictionary")
    }

    public func shutdown() async {
        state.withLock { $0.closed = true }
    }
}

/// Makes `dict://` openable with `KVStores.open`.
public struct DictionaryBackend: KVBackend {
    public let scheme = "dict"
    public let urlForms = ["dict://"]
    public let options: [KVOptionInfo] = []

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        DictionaryStore()
    }
}

func registerDictionaryBackend() async throws {
    KVStores.registry.register(DictionaryBackend())
    let store = try await KVStores.open("dict://")
    try await store.set("hello", Array("world".utf8))
}
