import KVCore
import KVRedisCore
import Synchronization

/// What a listing must know to be complete: which master claims each slot, which slots are being migrated or
/// imported, and each master's config epoch (bumped whenever a slot changes owner). Read from each master's own
/// line of `CLUSTER NODES`, validated like every server reply.
struct ClusterSlotState: Sendable, Equatable {
    /// For each slot, the id of the master that claims it ("" when none does).
    var owners: [String]
    /// Slots some master reports as migrating or importing.
    var moving: Set<Int>
    /// For each migrating slot, the id of the master it is leaving (its keys only flow away from it).
    var migratingFrom: [Int: String]
    /// Each master's config epoch, by node id.
    var epochs: [String: Int64]
    /// Each master's node id, by `host:port`.
    var ids: [String: String]

    init() {
        owners = [String](repeating: "", count: KVClusterSlot.count)
        moving = []
        migratingFrom = [:]
        epochs = [:]
        ids = [:]
    }

    /// The slots whose state changed between `self` and `later`: a new owner, a migration begun, ended or
    /// turned around, and every slot of a master whose epoch changed (a slot may have moved and come back).
    func changedSlots(comparedWith later: ClusterSlotState) -> Set<Int> {
        var slots = moving.symmetricDifference(later.moving)
        for (slot, source) in migratingFrom where later.migratingFrom[slot] != source { slots.insert(slot) }
        var bumped = Set<String>()
        for (id, epoch) in later.epochs where epochs[id] != epoch { bumped.insert(id) }
        for (id, epoch) in epochs where later.epochs[id] != epoch { bumped.insert(id) }
        for slot in 0..<KVClusterSlot.count where owners[slot] != later.owners[slot] || bumped.contains(owners[slot]) || bumped.contains(later.owners[slot]) {
            slots.insert(slot)
        }
        return slots
    }

    /// Adds the `myself` line of one master's `CLUSTER NODES` reply.
    ///
    /// - Throws: `serverError` naming `node` when the reply has no valid `myself` line.
    mutating func add(clusterNodes text: String, node: String) throws(KVError) {
        func bad(_ what: String) -> KVError { KVError(.serverError, "invalid CLUSTER NODES reply: \(what)", node: node) }
        guard let line = text.split(separator: "\n").first(where: { $0.split(separator: " ").dropFirst(2).first?.split(separator: ",").contains("myself") == true }) else {
            throw bad("no myself line")
        }
        let fields = line.split(separator: " ")
        guard fields.count >= 8, fields[0].count <= 64, let epoch = Int64(fields[6]) else { throw bad("a line of fewer than 8 fields") }
        let id = String(fields[0])
        epochs[id] = epoch
        ids[node] = id
        for field in fields.dropFirst(8) {
            if field.hasPrefix("[") {
                // [slot->-id] migrating, [slot-<-id] importing
                let inner = field.dropFirst().prefix { $0.isNumber }
                guard let slot = Int(inner), (0..<KVClusterSlot.count).contains(slot) else { throw bad("a migrating slot out of range: \(field.prefix(40))") }
                moving.insert(slot)
                if field.contains("->-") { migratingFrom[slot] = id }
                continue
            }
            let bounds = field.split(separator: "-", maxSplits: 1).map { Int($0) }
            guard let first = bounds.first ?? nil, let last = bounds.last ?? nil, 0 <= first, first <= last, last < KVClusterSlot.count else {
                throw bad("a slot range out of range: \(field.prefix(40))")
            }
            for slot in first...last { owners[slot] = id }
        }
    }
}

extension KVClusterStore {
    /// The slot state as the current masters report it.
    func slotState() async throws(KVError) -> ClusterSlotState {
        var state = ClusterSlotState()
        let masters = self.state.withLock { $0.topology?.masters ?? [] }
        for master in masters {
            let node = master.description
            let reply = try await pool(for: master).send(RedisCommand("CLUSTER", "NODES")).orThrow(node: node)
            guard let text = reply.text else { throw reply.unexpected(node: node, expected: "CLUSTER NODES text") }
            try state.add(clusterNodes: text, node: node)
        }
        return state
    }
}
