package import KVCore

extension KVMemoryStore: KVDecodedValueStore {
    /// `get` for ``KVClient``: the decoded value kept beside the key's bytes, or `decode` run outside the stripe's
    /// lock and its result kept, if the key still holds the bytes it decoded. (Kept values are not counted in
    /// `maxBytes`: at most one per key, and a read, not a write, adds it.)
    package func get<T: Sendable>(_ key: String, decoded tag: KVDecodedTag, _ decode: ([UInt8]) throws(KVError) -> T) throws(KVError) -> T? {
        try KVLimits.check(key: key)
        let hash = MemoryKey.hash(of: key)
        let found = try withOpenTable(hash: hash) { table -> (bytes: [UInt8], kept: T?)? in
            guard let slot = table.find(key, hash: hash, now: table.now()) else { return nil }
            return (table.slots[slot].value, table.decodedValue(T.self, at: slot, tag: tag))
        }
        guard let found else { return nil }
        if let kept = found.kept { return kept }
        let value = try decode(found.bytes)
        try withOpenTable(hash: hash) { table in
            if let slot = table.find(key, hash: hash, now: table.now()) { table.keep(value, tag: tag, decodedFrom: found.bytes, at: slot) }
        }
        return value
    }
}
