import KVCore

/// Runs a large batch as chunks, a bounded number at a time, so that a batch of millions of keys needs memory
/// for only a few chunks of commands and replies at once.
package enum RedisChunks {
    /// Calls `body` for each `chunkSize` slice of `0..<count`, at most `maxInFlight` concurrently,
    /// and returns the results in chunk order.
    package static func run<T: Sendable>(
        count: Int, chunkSize: Int, maxInFlight: Int,
        _ body: @escaping @Sendable (Range<Int>) async -> T
    ) async -> [T] {
        let ranges = stride(from: 0, to: count, by: chunkSize).map { $0..<min($0 + chunkSize, count) }
        if ranges.count <= 1 { return await ranges.asyncMap(body) }
        return await withTaskGroup(of: (Int, T).self) { group in
            var results = [T?](repeating: nil, count: ranges.count)
            var nextIndex = 0
            func launch() {
                let index = nextIndex
                nextIndex += 1
                group.addTask { (index, await body(ranges[index])) }
            }
            while nextIndex < min(maxInFlight, ranges.count) { launch() }
            while let (index, result) = await group.next() {
                results[index] = result
                if nextIndex < ranges.count { launch() }
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
