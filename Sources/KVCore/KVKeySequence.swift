/// A source of key pages for ``KVKeySequence``: each call returns the next page, or `nil` at the end.
public protocol KVKeyPageSource: Sendable {
    mutating func nextPage() async throws(KVError) -> [String]?
}

/// The keys returned by `list(prefix:)`, streamed page by page so that millions of keys never sit in memory at once.
///
/// ```swift
/// for try await key in store.list(prefix: "session:") { print(key) }
/// ```
public struct KVKeySequence: AsyncSequence, Sendable {
    public typealias Element = String
    public typealias Failure = KVError

    private let makeSource: @Sendable () -> any KVKeyPageSource

    /// Creates a sequence; `makeSource` is called once per iteration.
    public init(_ makeSource: @escaping @Sendable () -> any KVKeyPageSource) {
        self.makeSource = makeSource
    }

    /// A sequence that fails at once with `error` when iterated.
    public init(failing error: KVError) {
        self.init { FailingSource(error: error) }
    }

    /// A sequence over keys already in memory, served in pages of 1,000.
    public init(keys: [String]) {
        self.init { ArraySource(keys: keys) }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: makeSource()) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var source: any KVKeyPageSource
        var page: [String] = []
        var index = 0
        var finished = false

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KVError) -> String? {
            while index == page.count {
                if finished { return nil }
                guard let next = try await source.nextPage() else {
                    finished = true
                    page = []
                    index = 0
                    return nil
                }
                page = next
                index = 0
            }
            defer { index += 1 }
            return page[index]
        }

        public mutating func next() async throws(KVError) -> String? {
            try await next(isolation: nil)
        }
    }

    /// Collects every key; use only when the result is known to be small.
    public func collect() async throws(KVError) -> [String] {
        var keys: [String] = []
        var iterator = makeAsyncIterator()
        while let key = try await iterator.next() { keys.append(key) }
        return keys
    }

    /// The same keys, each passed through `transform` a page at a time (synchronously, so iterating from an
    /// actor costs no hop per key, as an async `map` would).
    public func mapKeys(_ transform: @escaping @Sendable (String) -> String) -> KVKeySequence {
        let makeSource = self.makeSource
        return KVKeySequence { MappedSource(base: makeSource(), transform: transform) }
    }

    private struct MappedSource: KVKeyPageSource {
        var base: any KVKeyPageSource
        let transform: @Sendable (String) -> String
        mutating func nextPage() async throws(KVError) -> [String]? {
            try await base.nextPage()?.map(transform)
        }
    }

    private struct FailingSource: KVKeyPageSource {
        let error: KVError
        mutating func nextPage() async throws(KVError) -> [String]? { throw error }
    }

    private struct ArraySource: KVKeyPageSource {
        let keys: [String]
        var offset = 0
        mutating func nextPage() async throws(KVError) -> [String]? {
            guard offset < keys.count else { return nil }
            let end = Swift.min(offset + 1000, keys.count)
            defer { offset = end }
            return Array(keys[offset..<end])
        }
    }
}
