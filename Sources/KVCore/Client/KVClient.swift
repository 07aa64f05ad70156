/// Stores and loads `Codable` values on any ``KVStore``.
///
/// `String`, `[UInt8]` and `Data` are stored raw (readable by any client as they are); everything else goes through
/// the codec (JSON by default). The framework adapters store every value through the codec instead.
/// An optional namespace is put before every key and stripped from `list` results.
///
/// ```swift
/// struct Session: Codable { var user: String; var cart: [String] }
/// let sessions = KVClient(store: store, namespace: "session:")
/// try await sessions.set(Session(user: "ada", cart: []), for: "42", options: .ttl(.seconds(1800)))
/// let session = try await sessions.get(Session.self, for: "42")
/// ```
public struct KVClient: Sendable {
    public let store: any KVStore
    public let codec: any KVCodec
    /// Put before every key.
    public let namespace: String
    /// Loads under way in ``getOrLoad(_:for:ttl:policy:tags:load:)``, shared by copies of this client (stores that
    /// are objects share theirs process-wide instead).
    let cacheFlights = CacheFlights()
    /// The store, when it keeps decoded values beside its entries (cast once, not per read).
    @usableFromInline let decodedStore: (any KVDecodedValueStore)?
    /// The codec's identity for kept decoded values (nil: none are kept).
    @usableFromInline let codecIdentity: ObjectIdentifier?
    /// Whether `String`, `[UInt8]` and `Data` are stored as they are (else through the codec, like every type).
    @usableFromInline let storesRawValues: Bool

    public init(store: any KVStore, codec: any KVCodec = KVJSONCodec(), namespace: String = "") {
        self.init(store: store, codec: codec, namespace: namespace, storesRawValues: true)
    }

    /// A client that, with `storesRawValues` false, encodes `String`, `[UInt8]` and `Data` with the codec as well:
    /// every value then records its type (the string `"42"` is stored as JSON `"42"`, and read as an `Int` it
    /// does not decode), as the frameworks' own drivers do. The adapters use it.
    package init(store: any KVStore, codec: any KVCodec, namespace: String, storesRawValues: Bool) {
        self.store = store
        self.codec = codec
        self.namespace = namespace
        self.storesRawValues = storesRawValues
        decodedStore = store as? any KVDecodedValueStore
        codecIdentity = KVDecodedTag.codecIdentity(codec)
    }

    /// The same client with `suffix` added to its namespace.
    public func namespaced(_ suffix: String) -> KVClient {
        KVClient(store: store, codec: codec, namespace: namespace + suffix, storesRawValues: storesRawValues)
    }

    /// The same client with every value, `String`, `[UInt8]` and `Data` too, encoded by its codec.
    package var typed: KVClient {
        storesRawValues ? KVClient(store: store, codec: codec, namespace: namespace, storesRawValues: false) : self
    }

    // MARK: Single values

    /// Encodes and writes `value`. Returns whether it wrote (see ``KVSetOptions/Condition``).
    @discardableResult
    public func set<T: Encodable>(_ value: T, for key: String, options: KVSetOptions = .default) async throws(KVError) -> Bool {
        try await store.set(namespace + key, try encode(value, key: key), options: options)
    }

    /// Reads and decodes the value under `key`, or `nil` when there is none.
    ///
    /// - Throws: `decodingFailed` naming the key and `T` when the stored bytes do not decode, or any store error.
    public func get<T: Decodable>(_ type: T.Type = T.self, for key: String) async throws(KVError) -> T? {
        guard let bytes = try await store.get(namespace + key) else { return nil }
        return try decode(type, from: bytes, key: key)
    }

    /// Reads the value under `key`, or `nil` when there is none. On a store that keeps values in memory (the
    /// memory store, a Redis-based store with `nearCache=on`) the decoded value is kept beside the entry, for JSON
    /// and property-list values of a type that is not a class: a later hit returns it without decoding, until the
    /// key changes.
    ///
    /// - Throws: `decodingFailed` naming the key and `T` when the stored bytes do not decode, or any store error.
    @inlinable
    public func get<T: Decodable & Sendable>(_ type: T.Type = T.self, for key: String) async throws(KVError) -> T? {
        if let keeping = decodedStore, let tag = KVDecodedTag(T.self, codec: codecIdentity, rawAsIs: storesRawValues) {
            let stored = namespace + key
            let read: KVKeptRead
            switch try keeping.peekKept(stored) {
            case .found(let found): read = found
            case .absent: return nil
            case .unknown:
                guard let fetched = try await keeping.getKept(stored) else { return nil }
                read = fetched
            }
            if let value = read.kept?.value(T.self, tag: tag, for: read.bytes) { return value }
            let value = try decode(T.self, from: read.bytes, key: key)
            keeping.keep(KVDecodedValue(tag: tag, source: read.bytes, value: value), for: stored)
            return value
        }
        guard let bytes = try await store.get(namespace + key) else { return nil }
        return try decode(type, from: bytes, key: key)
    }

    @discardableResult
    public func delete(_ key: String) async throws(KVError) -> Bool {
        try await store.delete(namespace + key)
    }

    public func contains(_ key: String) async throws(KVError) -> Bool {
        try await store.contains(namespace + key)
    }

    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive {
        try await store.ttl(namespace + key)
    }

    /// Keys under the namespace that start with `prefix`, with the namespace stripped.
    public func list(prefix: String = "") -> KVKeySequence {
        let count = namespace.utf8.count
        return store.list(prefix: namespace + prefix).mapKeys { String(Substring($0.utf8.dropFirst(count))) }
    }

    /// Changes of keys under the namespace that start with `prefix`, with the namespace stripped (see
    /// ``KVStore/watch(prefix:)``).
    public func watch(prefix: String = "") -> KVWatchFeed {
        let count = namespace.utf8.count
        return store.watch(prefix: namespace + prefix).mapEvents { event in
            guard case .changed(let key) = event else { return event }
            return .changed(String(Substring(key.utf8.dropFirst(count))))
        }
    }

    // MARK: Batches

    /// Encodes and writes every value. Not atomic across nodes: see ``KVStore/batchSet(_:options:)``.
    public func batchSet<T: Encodable>(_ values: [(key: String, value: T)], options: KVSetOptions = .default) async throws(KVError) {
        var entries: [KVEntry] = []
        entries.reserveCapacity(values.count)
        for (key, value) in values { entries.append(KVEntry(namespace + key, try encode(value, key: key))) }
        try await store.batchSet(entries, options: options)
    }

    /// Encodes and writes every value of a dictionary.
    public func batchSet<T: Encodable>(_ values: [String: T], options: KVSetOptions = .default) async throws(KVError) {
        try await batchSet(values.map { (key: $0.key, value: $0.value) }, options: options)
    }

    /// Reads and decodes every key; missing keys are absent from the result.
    public func batchGet<T: Decodable>(_ type: T.Type = T.self, for keys: [String]) async throws(KVError) -> [String: T] {
        let found = try await store.batchGet(keys.map { namespace + $0 })
        var result: [String: T] = [:]
        result.reserveCapacity(found.count)
        let count = namespace.utf8.count
        for (storedKey, bytes) in found {
            let key = String(Substring(storedKey.utf8.dropFirst(count)))
            result[key] = try decode(type, from: bytes, key: key)
        }
        return result
    }

    public func batchDelete(_ keys: [String]) async throws(KVError) -> Int {
        try await store.batchDelete(keys.map { namespace + $0 })
    }

    // MARK: Coding

    package func encode<T: Encodable>(_ value: T, key: String) throws(KVError) -> [UInt8] {
        if storesRawValues, let raw = KVRawValue.encode(value) { return raw }
        do { return try codec.encode(value) } catch {
            throw KVError(.encodingFailed, "cannot encode \(T.self) with \(codec.name): \(error)", key: namespace + key, underlyingError: KVError.underlying(error))
        }
    }

    @usableFromInline
    package func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], key: String) throws(KVError) -> T {
        if storesRawValues, let raw = try KVRawValue.decode(type, from: bytes, key: namespace + key) { return raw }
        do { return try codec.decode(type, from: bytes) } catch {
            throw .decodingFailed(key: namespace + key, type: type, reason: "\(codec.name): \(error)", underlyingError: KVError.underlying(error))
        }
    }
}
