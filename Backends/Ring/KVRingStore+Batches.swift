public import KVCore
package import KVRedisCore
import Synchronization

extension KVRingStore {
    /// Groups keys by the shard that owns each, with one routing snapshot for the whole batch.
    func group<T>(_ items: [T], key: (T) -> String) throws(KVError) -> [(member: Member, items: [T])] {
        var groups: [ObjectIdentifier: (member: Member, items: [T])] = [:]
        var order: [ObjectIdentifier] = []
        for item in items {
            let member = try member(for: key(item))
            let id = ObjectIdentifier(member)
            if groups[id] == nil {
                groups[id] = (member, [])
                order.append(id)
            }
            groups[id]!.items.append(item)
        }
        return order.map { groups[$0]! }
    }

    /// Runs one shard-level batch per shard concurrently; a batch costs about its largest shard's part.
    /// Returns the shards' results and the failed keys (named with their shard). A shard removed by
    /// ``setShards(_:)`` meanwhile sent nothing: its part is grouped and run again, once.
    func perShard<T: Sendable, R: Sendable>(
        _ items: [T], key: (T) -> String, rerouted: Bool = false,
        _ body: @escaping @Sendable (RedisNodeClient, [T]) async throws(KVError) -> R
    ) async throws(KVError) -> (results: [R], failures: [KVKeyFailure]) {
        await probeDueShards()
        let groups = try group(items, key: key)
        let outcomes = await RedisChunks.run(groups, maxInFlight: groups.count) { group -> (Member, [T], Result<R, KVError>) in
            do throws(KVError) { return (group.member, group.items, .success(try await body(group.member.client, group.items))) } catch {
                return (group.member, group.items, .failure(error))
            }
        }
        var results: [R] = []
        var failures: [KVKeyFailure] = []
        var removed: [T] = []
        for (member, items, outcome) in outcomes {
            switch outcome {
            case .success(let result):
                noteSuccess(of: member)
                results.append(result)
            case .failure(let error) where error.code == .shutdown:
                if rerouted || state.withLock({ $0.closed }) { throw error }
                removed += items
            case .failure(let error):
                noteFailure(of: member, error.failures.first?.error ?? error)
                let named = Self.named(error, member)
                failures += named.failures.map { KVKeyFailure(key: $0.key, error: KVError($0.error.code, $0.error.message, key: $0.key, node: named.node)) }
            }
        }
        if !removed.isEmpty {
            let again = try await perShard(removed, key: key, rerouted: true, body)
            results += again.results
            failures += again.failures
        }
        return (results, failures)
    }

    public func batchSet(_ entries: [KVEntry], options setOptions: KVSetOptions) async throws(KVError) {
        try KVLimits.check(entries: entries)
        _ = try setOptions.ttlMilliseconds()
        let unique = KVBatch.lastWins(entries)
        let (_, failures) = try await perShard(unique, key: \.key) { (store, items) throws(KVError) in
            try await store.batchSet(items, options: setOptions)
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
    }

    public func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        try KVLimits.check(keys: keys)
        let unique = KVBatch.distinct(keys)
        let (results, failures) = try await perShard(unique, key: { $0 }) { (store, items) throws(KVError) in
            try await store.batchGet(items)
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        var found: [String: [UInt8]] = [:]
        for result in results { found.merge(result) { _, last in last } }
        return found
    }

    public func batchDelete(_ keys: [String]) async throws(KVError) -> Int {
        try KVLimits.check(keys: keys)
        let unique = KVBatch.distinct(keys)
        let (results, failures) = try await perShard(unique, key: { $0 }) { (store, items) throws(KVError) in
            try await store.batchDelete(items)
        }
        try KVBatch.throwIfFailed(failures, total: unique.count)
        return results.reduce(0, +)
    }

    /// Runs `body` on each live shard concurrently and returns the results by shard name.
    ///
    /// ```swift
    /// let sizes = try await ring.forEachShard { _, shard in try await shard.pool.send(.init("DBSIZE")).integer ?? 0 }
    /// ```
    package func forEachShard<T: Sendable>(_ body: @escaping @Sendable (String, RedisNodeClient) async throws(KVError) -> T) async throws(KVError) -> [String: T] {
        let live = try state.withLock { (state) throws(KVError) in
            if state.closed { throw KVError.shutdown(node: "ring") }
            if state.live.isEmpty { throw Self.allDown(state) }
            return state.live
        }
        let outcomes = await withTaskGroup(of: (String, Result<T, KVError>).self) { group in
            for member in live {
                group.addTask {
                    do throws(KVError) { return (member.name, .success(try await body(member.name, member.client))) } catch {
                        return (member.name, .failure(Self.named(error, member)))
                    }
                }
            }
            return await group.reduce(into: [(String, Result<T, KVError>)]()) { $0.append($1) }
        }
        var results: [String: T] = [:]
        for (name, outcome) in outcomes { results[name] = try outcome.get() }
        return results
    }
}
