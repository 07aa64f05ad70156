public import KVCore
import KVRedisConfiguration
import KVRedisCore
import Synchronization

/// Progress of ``KVRingStore/rebalance(from:progress:)``.
public struct KVRingRebalanceProgress: Sendable, Codable, Equatable {
    public var shard: String
    public var scanned: Int
    public var moved: Int
}

/// The result of ``KVRingStore/rebalance(from:progress:)``.
public struct KVRingRebalanceReport: Sendable, Codable, Equatable {
    /// Keys looked at, over every shard walked.
    public var scanned = 0
    /// Keys moved to their new owner.
    public var moved = 0
    /// Keys already present on their new owner (kept there: it was written after the change) and removed from the old one.
    public var alreadyAtOwner = 0
    /// Keys that vanished (expired or deleted) while being moved.
    public var vanished = 0
    /// Keys left where they are because a custom placement could not place them (keys that are not UTF-8,
    /// whose placement does not implement ``KVShardPlacement/shardIndex(forBytes:)``). Built-in placements place every key.
    public var unplaceable = 0
    /// Moved keys by the shard they left.
    public var movedFrom: [String: Int] = [:]
}

extension KVRingStore {
    /// After the shard set changed, walks each shard with `SCAN` and moves every key whose owner changed to
    /// its new shard, TTL kept. Keys move byte for byte, also keys that are not UTF-8 (written by other clients). Pass the shards that were removed in `oldShards` so their keys move too.
    /// A key that already exists on its new owner keeps that value (it was written after the change).
    public func rebalance(
        from oldShards: [KVRingShard] = [], progress: @escaping @Sendable (KVRingRebalanceProgress) -> Void = { _ in }
    ) async throws(KVError) -> KVRingRebalanceReport {
        let current = state.withLock { $0.live }
        let retired = oldShards.filter { old in !current.contains { $0.name == old.name && $0.shard.endpoint == old.endpoint } }
            .map(makeMember)
        defer {
            for member in retired {
                member.heartbeat.close()
                member.client.close()
            }
        }
        var report = KVRingRebalanceReport()
        for source in current + retired {
            var pages = RedisScanSource(pools: [source.client.pool], prefix: "", count: options.node.scanCount) { () throws(KVError) in }
            var scanned = 0, moved = 0
            while let keys = try await pages.nextRawPage() {
                scanned += keys.count
                var leaving: [(key: [UInt8], target: Member)] = []
                for key in keys {
                    guard let owner = try member(forBytes: key) else {
                        report.unplaceable += 1
                        continue
                    }
                    if owner.name != source.name || retired.contains(where: { $0 === source }) { leaving.append((key, owner)) }
                }
                let outcome = try await move(leaving, from: source)
                moved += outcome.moved
                report.alreadyAtOwner += outcome.alreadyAtOwner
                report.vanished += outcome.vanished
                progress(KVRingRebalanceProgress(shard: source.name, scanned: scanned, moved: moved))
            }
            report.scanned += scanned
            report.moved += moved
            if moved > 0 { report.movedFrom[source.name] = moved }
        }
        return report
    }

    /// Copies keys (value and remaining TTL) to their targets with `SET … NX`, then removes them from the source.
    private func move(_ keys: [(key: [UInt8], target: Member)], from source: Member) async throws(KVError) -> (moved: Int, alreadyAtOwner: Int, vanished: Int) {
        guard !keys.isEmpty else { return (0, 0, 0) }
        let reads = try await source.client.pool.pipeline(keys.flatMap { [RedisCommand(raw: "GET", $0.key), RedisCommand(raw: "PTTL", $0.key)] })
        var byTarget: [ObjectIdentifier: (target: Member, entries: [(key: [UInt8], command: RedisCommand)])] = [:]
        var vanished = 0
        for (index, item) in keys.enumerated() {
            let name = String(decoding: item.key, as: UTF8.self)  // for messages only
            guard let value = try RedisKeyCommands.value(reads[2 * index], key: name, node: source.node) else {
                vanished += 1
                continue
            }
            let ttl = try RedisKeyCommands.timeToLive(reads[2 * index + 1], key: name, node: source.node)
            let command = RedisKeyCommands.set(
                rawKey: item.key, value, ttlMilliseconds: ttl.remaining.map { max(1, $0.truncatedMilliseconds) },
                options: KVSetOptions(condition: .onlyIfAbsent))
            byTarget[ObjectIdentifier(item.target), default: (item.target, [])].entries.append((item.key, command))
        }
        var moved = 0, present = 0
        var done: [[UInt8]] = []
        for (target, entries) in byTarget.values {
            let replies: [RedisReply]
            do { replies = try await target.client.pool.pipeline(entries.map(\.command)) } catch { throw Self.named(error, target) }
            for (entry, reply) in zip(entries, replies) {
                if try RedisKeyCommands.wasSet(reply, key: String(decoding: entry.key, as: UTF8.self), node: target.node) { moved += 1 } else { present += 1 }
                done.append(entry.key)
            }
        }
        for start in stride(from: 0, to: done.count, by: 1000) {
            _ = try await source.client.pool.send(RedisCommand(raw: "UNLINK", keys: Array(done[start..<min(start + 1000, done.count)]))).orThrow(node: source.node)
        }
        return (moved, present, vanished)
    }
}
