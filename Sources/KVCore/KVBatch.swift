/// Helpers that every backend's batch operations share.
public enum KVBatch {
    /// The keys with byte-identical duplicates removed, in first-seen order.
    public static func distinct(_ keys: [String]) -> [String] {
        var seen = Set<KVExactKey>(minimumCapacity: keys.count)
        return keys.filter { seen.insert(KVExactKey($0)).inserted }
    }

    /// The entries with duplicates removed, keeping the last value of each key, in last-seen order.
    public static func lastWins(_ entries: [KVEntry]) -> [KVEntry] {
        var seen = Set<KVExactKey>(minimumCapacity: entries.count)
        var kept: [KVEntry] = []
        kept.reserveCapacity(entries.count)
        for entry in entries.reversed() where seen.insert(KVExactKey(entry.key)).inserted { kept.append(entry) }
        return kept.reversed()
    }

    /// Throws nothing when `failures` is empty; otherwise the failure itself when the whole batch failed
    /// for one reason, or a `partialFailure` naming each failed key.
    public static func throwIfFailed(_ failures: [KVKeyFailure], total: Int) throws(KVError) {
        guard let first = failures.first else { return }
        let message = "\(failures.count) of \(total) keys failed; first: \(first.error)"
        throw KVError(.partialFailure, message, node: first.error.node, failures: failures)
    }
}
