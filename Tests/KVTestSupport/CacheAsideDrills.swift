import Foundation
public import KVCore

/// Cache-aside (`KVClient.getOrLoad`) on any store, the same drills for every backend: stampedes, stale values,
/// failing loaders, negative caching, tags and cancellation. Each returns the problems found (empty when none).
public enum CacheAsideDrills {
    struct Report: Codable, Equatable, Sendable {
        var version: Int
    }

    /// Every drill on `store`, under a fresh namespace.
    public static func problems(_ store: any KVStore, name: String) async throws -> [String] {
        let client = KVClient(store: store, namespace: "cacheaside:\(UInt32.random(in: 0...UInt32.max)):")
        var problems: [String] = []
        problems += try await stampede(client)
        problems += try await staleWhileRevalidate(client)
        problems += try await oneRefreshForManyStaleReaders(client)
        problems += try await staleIfError(client)
        problems += try await negativeCaching(client)
        problems += try await tags(client)
        problems += try await cancellation(client)
        problems += try await plainReadable(client)
        for key in try await client.list().collect() { _ = try await client.delete(key) }
        return problems.map { "\(name): \($0)" }
    }

    /// 1,000 concurrent callers on a missing key: one load.
    static func stampede(_ client: KVClient) async throws -> [String] {
        let loads = Locked(0)
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    try await client.getOrLoad(Report.self, for: "stampede", ttl: .seconds(60)) {
                        loads.withLock { $0 += 1 }
                        try await Task.sleep(for: .milliseconds(200))
                        return Report(version: 7)
                    }.version
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        var problems: [String] = []
        if loads.value != 1 { problems.append("1,000 callers on a missing key ran \(loads.value) loads, not 1") }
        if values.count != 1000 || values.contains(where: { $0 != 7 }) { problems.append("stampede callers got \(Set(values))") }
        return problems
    }

    /// After the TTL, within the stale window: the old value at once while a slow refresh runs, then the new one.
    static func staleWhileRevalidate(_ client: KVClient) async throws -> [String] {
        try await withStaleEntry(client, key: "swr") { policy in
            let refreshed = Locked(false)
            let stale = try await client.getOrLoad(Report.self, for: "swr", ttl: .seconds(60), policy: policy) {
                try await Task.sleep(for: .milliseconds(500))
                refreshed.withLock { $0 = true }
                return Report(version: 2)
            }
            var problems: [String] = []
            let finishedFirst = refreshed.value
            if stale.version != 1 || finishedFirst { problems.append("a stale read waited for the refresh (got version \(stale.version), refresh done: \(finishedFirst))") }
            let fresh = try await waitFor(client, key: "swr", version: 2, policy: policy)
            if !fresh { problems.append("the refresh never stored the new value") }
            return problems
        }
    }

    /// 200 concurrent readers of one stale entry, each with a loader of its own: one refresh runs, and no
    /// reader that found the entry stale before it was stored loads it again afterwards.
    static func oneRefreshForManyStaleReaders(_ client: KVClient) async throws -> [String] {
        try await withStaleEntry(client, key: "swr-many") { policy in
            let loads = Locked(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        _ = try await client.getOrLoad(Report.self, for: "swr-many", ttl: .seconds(60), policy: policy) {
                            Report(version: 1 + loads.withLock { $0 += 1; return $0 })
                        }
                    }
                }
                try await group.waitForAll()
            }
            guard try await waitFor(client, key: "swr-many", version: 2, policy: policy) else {
                return ["200 stale readers: the refresh never stored version 2 (\(loads.value) loads)"]
            }
            // Refreshes queued by the readers would have run by now; give any straggler a moment to show up.
            try await Task.sleep(for: .milliseconds(100))
            return loads.value == 1 ? [] : ["200 concurrent readers of a stale entry ran \(loads.value) refreshes, not 1"]
        }
    }

    /// Runs `body` with a policy whose refresher runs (in a child task, until `body` ends), once `key` holds version
    /// 1 of a report past its TTL, within the stale window.
    static func withStaleEntry(_ client: KVClient, key: String, _ body: (KVCachePolicy) async throws -> [String]) async throws -> [String] {
        let refresher = KVCacheRefresher()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await refresher.run() }
            defer { group.cancelAll() }
            guard await eventually(within: .seconds(10), { refresher.isRunning }) else { return ["the refresher did not start"] }
            let policy = KVCachePolicy(staleFor: .seconds(30), jitter: 0, refresher: refresher)
            _ = try await client.getOrLoad(Report.self, for: key, ttl: .milliseconds(100), policy: policy) { Report(version: 1) }
            try await Task.sleep(for: .milliseconds(200))
            return try await body(policy)
        }
    }

    static func waitFor(_ client: KVClient, key: String, version: Int, policy: KVCachePolicy) async throws -> Bool {
        for _ in 0..<200 {
            let value = try await client.getOrLoad(Report.self, for: key, ttl: .seconds(60), policy: policy) { Report(version: -1) }
            if value.version == version { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    struct LoaderDown: Error {}

    /// A loader that fails within the stale window gives the old value; beyond it, its error.
    static func staleIfError(_ client: KVClient) async throws -> [String] {
        let policy = KVCachePolicy(staleFor: .seconds(30), revalidateInBackground: false, jitter: 0)
        _ = try await client.getOrLoad(Report.self, for: "sie", ttl: .milliseconds(100), policy: policy) { Report(version: 1) }
        try await Task.sleep(for: .milliseconds(200))
        var problems: [String] = []
        let old = try await client.getOrLoad(Report.self, for: "sie", ttl: .seconds(60), policy: policy) { throw LoaderDown() }
        if old.version != 1 { problems.append("a failing loader within the stale window gave version \(old.version)") }
        do {
            _ = try await client.getOrLoad(Report.self, for: "sie-missing", ttl: .seconds(60), policy: policy) { throw LoaderDown() }
            problems.append("a failing loader with nothing cached returned a value")
        } catch is LoaderDown {
        } catch { problems.append("a failing loader's error came back as \(error)") }
        return problems
    }

    /// A loader that finds nothing is remembered for the negative TTL.
    static func negativeCaching(_ client: KVClient) async throws -> [String] {
        let loads = Locked(0)
        let policy = KVCachePolicy(negativeTTL: .seconds(30))
        for _ in 0..<3 {
            let found = try await client.getOrLoadOptional(Report.self, for: "absent", ttl: .seconds(60), policy: policy) { () async throws -> Report? in
                loads.withLock { $0 += 1 }
                return nil
            }
            if found != nil { return ["a remembered nothing came back as \(String(describing: found))"] }
        }
        return loads.value == 1 ? [] : ["3 reads of a missing row ran \(loads.value) loads, not 1"]
    }

    /// Invalidating a tag makes its entries misses; other entries stay.
    static func tags(_ client: KVClient) async throws -> [String] {
        let loads = Locked(0)
        func read(_ key: String, tags: [String]) async throws -> Int {
            try await client.getOrLoad(Report.self, for: key, ttl: .seconds(60), tags: tags) {
                Report(version: loads.withLock { $0 += 1; return $0 })
            }.version
        }
        let first = try await read("tagged", tags: ["user:42"])
        let other = try await read("other", tags: ["user:7"])
        var problems: [String] = []
        if try await read("tagged", tags: ["user:42"]) != first { problems.append("a tagged entry was not cached") }
        try await client.invalidate(tag: "user:42")
        if try await read("tagged", tags: ["user:42"]) == first { problems.append("invalidate(tag:) left the entry a hit") }
        if try await read("other", tags: ["user:7"]) != other { problems.append("invalidating one tag reloaded an entry of another") }
        do {
            _ = try await read("long", tags: [String(repeating: "t", count: 65_536)])
            problems.append("a tag longer than the header can hold was accepted")
        } catch let error as KVError where error.code == .invalidArgument {}
        return problems
    }

    /// A waiting caller that is cancelled does not cancel the load the others wait for.
    static func cancellation(_ client: KVClient) async throws -> [String] {
        let loads = Locked(0)
        let load: @Sendable () async throws -> Report = {
            loads.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(300))
            return Report(version: 5)
        }
        let leader = Task { try await client.getOrLoad(Report.self, for: "cancel", ttl: .seconds(60), load: load) }
        try await Task.sleep(for: .milliseconds(50))
        let waiter = Task { try await client.getOrLoad(Report.self, for: "cancel", ttl: .seconds(60), load: load) }
        let patient = Task { try await client.getOrLoad(Report.self, for: "cancel", ttl: .seconds(60), load: load) }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        var problems: [String] = []
        if (try? await waiter.value) != nil { problems.append("a cancelled waiter got a value") }
        let results = [try await leader.value.version, try await patient.value.version]
        if results != [5, 5] || loads.value != 1 {
            problems.append("after a waiter was cancelled: results \(results), \(loads.value) loads")
        }
        return problems
    }

    /// With no stale window, tags or negative caching, the value is stored as it is: a plain `get` reads it.
    static func plainReadable(_ client: KVClient) async throws -> [String] {
        _ = try await client.getOrLoad(Report.self, for: "plain", ttl: .seconds(60)) { Report(version: 3) }
        let plain = try await client.get(Report.self, for: "plain")
        return plain?.version == 3 ? [] : ["a plain get read \(String(describing: plain))"]
    }
}
