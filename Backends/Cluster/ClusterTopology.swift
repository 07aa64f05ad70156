import KVCore
import KVRedisCore

/// The slot map: which master, and which replicas, serve each slot.
public struct ClusterTopology: Sendable, Equatable {
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
        slotRange = [Int16](repeating: -1, count: ClusterSlot.count)
        for (index, range) in ranges.enumerated() {
            for slot in range.slots where slot < ClusterSlot.count { slotRange[slot] = Int16(index) }
        }
    }

    public func master(for slot: Int) -> KVEndpoint? {
        let index = slotRange[slot]
        return index < 0 ? nil : ranges[Int(index)].master
    }

    public func replicas(for slot: Int) -> [KVEndpoint] {
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

    /// Slots no node serves.
    public var unservedSlots: Int { slotRange.filter { $0 < 0 }.count }

    /// Moves one slot to `master` (after a `MOVED`), until the next refresh.
    mutating func assign(slot: Int, to master: KVEndpoint) {
        if let index = ranges.firstIndex(where: { $0.master == master && $0.slots.count == 1 && $0.slots.lowerBound == slot }) {
            slotRange[slot] = Int16(index)
            return
        }
        ranges.append(Range(slots: slot...slot, master: master, replicas: []))
        slotRange[slot] = Int16(ranges.count - 1)
    }

    /// Parses a `CLUSTER SLOTS` reply. An empty host means the host that was asked.
    package static func parse(_ reply: RedisReply, askedHost: String) -> ClusterTopology? {
        guard let entries = reply.array else { return nil }
        var ranges: [Range] = []
        for entry in entries {
            guard let fields = entry.array, fields.count >= 3,
                  let start = fields[0].integer, let end = fields[1].integer, start <= end
            else { return nil }
            var endpoints: [KVEndpoint] = []
            for node in fields[2...] {
                guard let parts = node.array, parts.count >= 2, let host = parts[0].text, let port = parts[1].integer else { return nil }
                endpoints.append(KVEndpoint(host: host.isEmpty ? askedHost : host, port: Int(port)))
            }
            ranges.append(Range(slots: Int(start)...Int(end), master: endpoints[0], replicas: Array(endpoints.dropFirst())))
        }
        return ClusterTopology(ranges: ranges)
    }
}
