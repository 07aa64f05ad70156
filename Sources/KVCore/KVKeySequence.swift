/// A source of key pages for ``KVKeySequence``: each call returns the next page, or `nil` at the end.
public protocol KVKeyPageSource: Sendable {
    mutating func nextPage() async throws(KVError) -> [String]?
    /// Keys passed over so far because they are not valid UTF-8 (written by other clients); 0 by default.
    var skippedKeys: Int { get }
}

extension KVKeyPageSource {
    public var skippedKeys: Int { 0 }
}

/// A whole listing: its keys, and how many keys it passed over because they are not valid UTF-8.
public struct KVKeyListing: Sendable, Hashable {
    public var keys: [String]
    public var skippedKeys: Int
}

/// The keys returned by `list(prefix:)`, streamed page by page so that millions of keys never sit in memory at once.
///
/// A key is a `String`, so a key that is not valid UTF-8 (which another client may have written to Redis) is
/// never listed: it would have to be listed under a name that reads or deletes a different key. Such keys are
/// skipped and counted instead; the iterator's ``AsyncIterator/skippedKeys`` says how many.
///
/// ```swift
/// for try await key in store.list(prefix: "session:") { print(key) }
///
/// var keys = store.list().makeAsyncIterator()
/// while let key = try await keys.next() { print(key) }
/// if keys.skippedKeys > 0 { print("\(keys.skippedKeys) keys are not UTF-8") }
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

        /// Keys passed over so far because they are not valid UTF-8; final once ``next()`` returned nil.
        public var skippedKeys: Int { source.skippedKeys }

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

    /// Collects every key and the count of keys skipped for not being UTF-8; use only when the result is known to be small.
    public func collectListing() async throws(KVError) -> KVKeyListing {
        var keys: [String] = []
        var iterator = makeAsyncIterator()
        while let key = try await iterator.next() { keys.append(key) }
        return KVKeyListing(keys: keys, skippedKeys: iterator.skippedKeys)
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
        var skippedKeys: Int { base.skippedKeys }
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
