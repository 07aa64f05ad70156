import KVCore

/// Pages through a memory store's keys: stripe by stripe, 1,000 slots per lock. Prefixes match byte by byte,
/// as in Redis. Keys inserted into a stripe after the listing reached it are skipped, so a key deleted and
/// re-inserted meanwhile is never listed twice; a key present for the whole listing is always listed.
struct MemoryPager: KVKeyPageSource {
    let store: KVMemoryStore
    let prefix: String
    var stripe = 0
    var position = 0
    var startSequence: UInt64?

    mutating func nextPage() async throws(KVError) -> [String]? {
        while stripe < store.stripes.count {
            var position = self.position
            var startSequence = self.startSequence
            let prefix = self.prefix
            let (keys, finished) = try store.stripes.withLock(stripe) { table throws(KVError) in
                if table.isShutdown { throw KVError.shutdown(node: "memory") }
                let limit = startSequence ?? table.nextSequence
                startSequence = limit
                let now = table.now()
                let end = min(position + 1000, table.slots.count)
                var keys: [String] = []
                for slot in position..<max(position, end) {
                    let entry = table.slots[slot]
                    if entry.live, entry.sequence < limit, !table.isExpired(slot, now: now), entry.key.key.utf8.starts(with: prefix.utf8) {
                        keys.append(entry.key.key)
                    }
                }
                position = end
                return (keys, end >= table.slots.count)
            }
            if finished {
                self.stripe += 1
                self.position = 0
                self.startSequence = nil
            } else {
                self.position = position
                self.startSequence = startSequence
            }
            if !keys.isEmpty || !finished { return keys }
        }
        return nil
    }
}
