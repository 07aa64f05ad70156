import KVCore

/// Runs the parts of a batch a bounded number at a time, so that a batch of millions of keys needs memory for
/// only a few chunks of commands and replies at once. The one batch runner of the engine: a node's chunks, the
/// cluster's per-node chunks and its per-key retries all go through it.
package enum RedisChunks {
    /// Calls `body` for each `chunkSize` slice of `0..<count`, at most `maxInFlight` concurrently,
    /// and returns the results in chunk order.
    package static func run<T: Sendable>(
        count: Int, chunkSize: Int, maxInFlight: Int,
        _ body: @escaping @Sendable (Range<Int>) async -> T
    ) async -> [T] {
        await run(stride(from: 0, to: count, by: chunkSize).map { $0..<min($0 + chunkSize, count) }, maxInFlight: maxInFlight, body)
    }

    /// Calls `body` for each job, at most `maxInFlight` concurrently, and returns the results in job order.
    package static func run<Job: Sendable, T: Sendable>(
        _ jobs: [Job], maxInFlight: Int,
        _ body: @escaping @Sendable (Job) async -> T
    ) async -> [T] {
        if jobs.count <= 1 { return await jobs.asyncMap(body) }
        return await withTaskGroup(of: (Int, T).self) { group in
            var results = [T?](repeating: nil, count: jobs.count)
            var nextIndex = 0
            func launch() {
                let index = nextIndex
                nextIndex += 1
                group.addTask { (index, await body(jobs[index])) }
            }
            while nextIndex < min(max(1, maxInFlight), jobs.count) { launch() }
            while let (index, result) = await group.next() {
                results[index] = result
                if nextIndex < jobs.count { launch() }
            }
            return results.map { $0! }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self { result.append(await transform(element)) }
        return result
    }
}
