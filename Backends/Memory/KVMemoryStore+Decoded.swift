public import KVCore

extension KVMemoryStore: KVDecodedValueStore {
    /// `get` for ``KVClient``, with the decoded value kept beside the key's bytes. (Kept values are not counted in
    /// `maxBytes`: at most one per key, and a read, not a write, adds it.)
    @usableFromInline package func peekKept(_ key: String) throws(KVError) -> KVPeek {
        try getKept(key).map { .found($0) } ?? .absent
    }

    @usableFromInline package func getKept(_ key: String) throws(KVError) -> KVKeptRead? {
        try KVLimits.check(key: key)
        let hash = MemoryKey.hash(of: key)
        return try withOpenTable(hash: hash) { table -> KVKeptRead? in
            guard let slot = table.find(key, hash: hash, now: table.now()) else { return nil }
            return KVKeptRead(bytes: table.slots[slot].value, kept: table.decodedValue(at: slot))
        }
    }

    @usableFromInline package func keep(_ value: KVDecodedValue, for key: String) {
        let hash = MemoryKey.hash(of: key)
        _ = try? withOpenTable(hash: hash) { table in
            if let slot = table.find(key, hash: hash, now: table.now()) { table.keep(value, at: slot) }
        }
    }
}
