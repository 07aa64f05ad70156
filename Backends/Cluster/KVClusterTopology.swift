public import KVCore
package import KVRedisCore

/// The slot map: which master, and which replicas, serve each slot.
public struct KVClusterTopology: Sendable, Equatable {
    public struct Range: Sendable, Equatable {
        public var slots: ClosedRange<Int>
        public var master: KVEndpoint
        public var replicas: [KVEndpoint]
    }

    public var ranges: [Range]
    /// The index into ``ranges`` of each slot, or -1 when no node serves it.
    var slotRange: [Int16]

    public init(ranges: [Range]) {
        self.ranges = ranges
        slotRange = [Int16](repeating: -1, count: KVClusterSlot.count)
        for (index, range) in ranges.enumerated() where range.slots.lowerBound >= 0 && range.slots.upperBound < KVClusterSlot.count && index <= Int(Int16.max) {
            for slot in range.slots { slotRange[slot] = Int16(index) }
        }
    }

    public func master(for slot: Int) -> KVEndpoint? {
        guard (0..<KVClusterSlot.count).contains(slot) else { return nil }
        let index = slotRange[slot]
        return index < 0 ? nil : ranges[Int(index)].master
    }

    public func replicas(for slot: Int) -> [KVEndpoint] {
        guard (0..<KVClusterSlot.count).contains(slot) else { return [] }
        let index = slotRange[slot]
        return index < 0 ? [] : ranges[Int(index)].replicas
    }

    /// Every master, each once.
    public var masters: [KVEndpoint] {
        var seen = Set<KVEndpoint>()
        return ranges.map(\.master).filter { seen.insert($0).inserted }
    }

    /// Every node, each once.
    public var nodes: [KVEndpoint] {
        var seen = Set<KVEndpoint>()
        return ranges.flatMap { [$0.master] + $0.replicas }.filter { seen.insert($0).inserted }
    }

    /// Whether every slot has the same master (or none) in both maps.
    func hasSameMasters(as other: KVClusterTopology) -> Bool {
        (0..<KVClusterSlot.count).allSatisfy { master(for: $0) == other.master(for: $0) }
    }

    /// Slots no node serves.
    public var unservedSlots: Int { slotRange.filter { $0 < 0 }.count }

    /// Moves one slot to `master` (after a `MOVED`), until the next refresh.
    mutating func assign(slot: Int, to master: KVEndpoint) {
        guard (0..<KVClusterSlot.count).contains(slot), ranges.count < KVClusterSlot.count * 2 else { return }
        if let index = ranges.firstIndex(where: { $0.master == master && $0.slots.count == 1 && $0.slots.lowerBound == slot }) {
            slotRange[slot] = Int16(index)
            return
        }
        ranges.append(Range(slots: slot...slot, master: master, replicas: []))
        slotRange[slot] = Int16(ranges.count - 1)
    }

    /// The most nodes a slot map may name: twice the 1,000 that Redis Cluster is designed for. A map naming more
    /// is refused, so a hostile node cannot make the client keep an unbounded set of addresses.
    package static let maxNodes = 2000
    /// The most nodes one slot range may list: its master and up to 63 replicas.
    package static let maxNodesPerRange = 64

    /// Parses a `CLUSTER SLOTS` reply. An empty host means the host that was asked. Nothing is trusted: slot
    /// bounds must lie in 0…16383, ports in 1…65535, host names at most 255 bytes, and the map may hold at most
    /// 16,384 ranges of at most ``maxNodesPerRange`` nodes each, and ``maxNodes`` nodes in all.
    ///
    /// - Throws: `serverError` naming `node` and what was wrong.
    package static func parse(_ reply: RedisReply, askedHost: String, node: String) throws(KVError) -> KVClusterTopology {
        func bad(_ what: String) -> KVError { KVError(.serverError, "invalid CLUSTER SLOTS reply: \(what)", node: node) }
        guard let entries = reply.array else { throw bad("not an array") }
        guard entries.count <= KVClusterSlot.count else { throw bad("\(entries.count) ranges, more than the 16384 slots") }
        var ranges: [Range] = []
        var nodes = Set<KVEndpoint>()
        for entry in entries {
            guard let fields = entry.array, fields.count >= 3, let start = fields[0].integer, let end = fields[1].integer else {
                throw bad("a range is not [start, end, master, replicas…]")
            }
            guard 0 <= start, start <= end, end < Int64(KVClusterSlot.count) else { throw bad("the slot range \(start)…\(end) is not within 0…16383") }
            guard fields.count - 2 <= maxNodesPerRange else {
                throw bad("the slot range \(start)…\(end) lists \(fields.count - 2) nodes, more than the limit of \(maxNodesPerRange) per range")
            }
            var endpoints: [KVEndpoint] = []
            for field in fields[2...] {
                guard let parts = field.array, parts.count >= 2, let host = parts[0].text, let port = parts[1].integer else {
                    throw bad("a node is not [host, port, …]")
                }
                guard (1...65535).contains(port) else { throw bad("the port \(port) is not within 1…65535") }
                guard host.utf8.count <= 255 else { throw bad("a host name of \(host.utf8.count) bytes") }
                let endpoint = KVEndpoint(host: host.isEmpty || host == "?" ? askedHost : host, port: Int(port))
                nodes.insert(endpoint)
                endpoints.append(endpoint)
            }
            guard nodes.count <= maxNodes else { throw bad("more than \(maxNodes) nodes, the limit of a slot map (Redis Cluster is designed for up to 1,000)") }
            ranges.append(Range(slots: Int(start)...Int(end), master: endpoints[0], replicas: Array(endpoints.dropFirst())))
        }
        return KVClusterTopology(ranges: ranges)
    }
}
