import KVCore
import KVRedisConfiguration
import KVRedisCore
import Synchronization

/// Lists a cluster's keys completely and exactly once, also while slots migrate.
///
/// 1. Read the slot state (owners, migrations, config epochs) from every master, then `SCAN` every master.
///    `SCAN` returns every key that exists for the whole scan of its node; a key can only be missed by moving
///    to a node already scanned, which takes a migration.
/// 2. Read the slot state again. Every slot that was migrating at either reading, or whose owner or owner's
///    epoch changed, is revisited with `CLUSTER GETKEYSINSLOT` on every master, the migration's source first:
///    while a migration is under way keys only flow from source to destination, so a key that exists
///    throughout is read on one of them.
/// 3. A revisited slot whose state changed during its round (a migration began, ended or turned around) is
///    revisited again, up to 20 rounds; then the listing fails with `unavailable` rather than be incomplete.
///    A slot is done once one reading of it (the scan, or a revisit) saw no change of its state.
///
/// 128-bit fingerprints of the keys listed so far make every key appear once.
struct ClusterListing: KVKeyPageSource {
    let store: KVClusterStore
    let prefix: String
    let prefixBytes: [UInt8]
    private var scan: RedisScanSource?
    private var state: ClusterSlotState?
    /// Groups of slots still to revisit, each with the masters to read in order.
    private var pending: [(slots: [Int], masters: [KVEndpoint])] = []
    private var rounds = 0
    /// The slots of the current round of revisits.
    private var revisiting = Set<Int>()
    private var finished = false
    /// Fingerprints of the keys listed so far (taken over from the scan when it ends).
    private var seen = Set<KeyFingerprint>()
    /// Keys passed over because they are not valid UTF-8, by the finished scan and the revisits.
    private var skippedElsewhere = 0

    var skippedKeys: Int { (scan?.skippedKeys ?? 0) + skippedElsewhere }

    static let maxRounds = 20
    /// Keys read from one slot of one node at most; a slot holding more fails the listing rather than truncating it.
    static let maxKeysPerSlot = 1_000_000

    init(store: KVClusterStore, prefix: String) {
        self.store = store
        self.prefix = prefix
        prefixBytes = Array(prefix.utf8)
    }

    mutating func nextPage() async throws(KVError) -> [String]? {
        while !finished {
            try store.checkOpen()
            if state == nil {
                state = try await store.slotState()
                let masters = store.state.withLock { $0.topology?.masters ?? [] }
                scan = RedisScanSource(pools: masters.map { store.pool(for: $0) }, prefix: prefix, count: store.options.node.scanCount) { () throws(KVError) in }
            }
            if var source = scan {
                let page = try await source.nextPage()
                scan = source
                if let page { return page }
                seen = source.seen
                skippedElsewhere += source.skippedKeys
                let after = try await store.slotState()
                let unstable = state!.changedSlots(comparedWith: after).union(state!.moving).union(after.moving)
                scan = nil
                try plan(unstable, state: after)
                continue
            }
            if !pending.isEmpty {
                let group = pending.removeFirst()
                let page = try await revisit(group.slots, on: group.masters)
                if !page.isEmpty { return page }
                continue
            }
            if rounds == 0 {
                finished = true
                break
            }
            // A round of revisits is done. A revisited slot whose state stayed the same all along was read
            // completely; one that changed is read again. (A slot that changes now but was not revisited was
            // already read completely by the scan or an earlier round.)
            let after = try await store.slotState()
            let changed = state!.changedSlots(comparedWith: after).intersection(revisiting)
            if changed.isEmpty {
                finished = true
                break
            }
            guard rounds < Self.maxRounds else {
                throw KVError(.unavailable, "the listing could not complete: slots kept changing owner through \(Self.maxRounds) revisits")
            }
            try plan(changed, state: after)
        }
        return nil
    }

    /// Groups `slots` by the master they are migrating from (read first), for revisiting.
    private mutating func plan(_ slots: Set<Int>, state current: ClusterSlotState) throws(KVError) {
        state = current
        revisiting = slots
        guard !slots.isEmpty else { return }
        rounds += 1
        let masters = store.state.withLock { $0.topology?.masters ?? [] }
        var bySource: [String: [Int]] = [:]
        for slot in slots.sorted() { bySource[current.migratingFrom[slot] ?? "", default: []].append(slot) }
        for (source, group) in bySource.sorted(by: { $0.key < $1.key }) {
            let ordered = masters.sorted { lhs, rhs in
                (current.ids[lhs.description] == source ? 0 : 1) < (current.ids[rhs.description] == source ? 0 : 1)
            }
            for start in stride(from: 0, to: group.count, by: 256) {
                pending.append((Array(group[start..<min(start + 256, group.count)]), ordered))
            }
        }
    }

    /// Reads the keys of `slots` from each master in order, and returns those not listed yet.
    private mutating func revisit(_ slots: [Int], on masters: [KVEndpoint]) async throws(KVError) -> [String] {
        var page: [String] = []
        for master in masters {
            let node = master.description
            let replies = try await store.pool(for: master).pipeline(slots.map { RedisCommand("CLUSTER", "GETKEYSINSLOT", String($0), String(Self.maxKeysPerSlot)) })
            for reply in replies {
                guard let keys = try reply.orThrow(node: node).array else { throw reply.unexpected(node: node, expected: "a list of keys") }
                guard keys.count < Self.maxKeysPerSlot else {
                    throw KVError(.unavailable, "a slot holds \(keys.count) keys or more on \(node); too many to revisit while listing", node: node)
                }
                for key in keys {
                    guard let bytes = key.bytes, bytes.starts(with: prefixBytes), seen.insert(KeyFingerprint(bytes)).inserted else { continue }
                    if let text = String(validating: bytes, as: UTF8.self) { page.append(text) } else { skippedElsewhere += 1 }
                }
            }
        }
        return page
    }
}
