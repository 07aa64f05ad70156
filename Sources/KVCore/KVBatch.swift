/// Helpers that every backend's batch operations share.
public enum KVBatch {
    /// The keys with byte-identical duplicates removed, in first-seen order.
    public static func distinct(_ keys: [String]) -> [String] {
        var seen = Set<KVExactKey>(minimumCapacity: keys.count)
        for (index, key) in keys.enumerated() where !seen.insert(KVExactKey(key)).inserted {
            // The first duplicate: keep what came before it, then filter the rest.
            return Array(keys[..<index]) + keys[(index + 1)...].filter { seen.insert(KVExactKey($0)).inserted }
        }
        return keys  // the common case: no duplicates, and no copy
    }

    /// The entries with duplicates removed, keeping the last value of each key, in last-seen order.
    public static func lastWins(_ entries: [KVEntry]) -> [KVEntry] {
        var seen = Set<KVExactKey>(minimumCapacity: entries.count)
        // The common case, no duplicates, returns the batch itself: no copy of its entries.
        guard entries.contains(where: { !seen.insert(KVExactKey($0.key)).inserted }) else { return entries }
        seen.removeAll(keepingCapacity: true)
        var kept: [KVEntry] = []
        kept.reserveCapacity(entries.count)
        for entry in entries.reversed() where seen.insert(KVExactKey(entry.key)).inserted { kept.append(entry) }
        return kept.reversed()
    }

    /// Throws nothing when `failures` is empty. When every key failed for one kind of reason, throws that
    /// error's code (so a dead node reads as `connectionFailed`); otherwise `partialFailure`. Either way
    /// ``KVError/failures`` names each failed key.
    public static func throwIfFailed(_ failures: [KVKeyFailure], total: Int) throws(KVError) {
        guard let first = failures.first else { return }
        if failures.count == total, failures.allSatisfy({ $0.error.code == first.error.code }) {
            throw KVError(first.error.code, "all \(total) keys failed: \(first.error.message)", node: first.error.node, failures: failures)
        }
        let message = "\(failures.count) of \(total) keys failed; first: \(first.error)"
        throw KVError(.partialFailure, message, node: first.error.node, failures: failures)
    }
}
