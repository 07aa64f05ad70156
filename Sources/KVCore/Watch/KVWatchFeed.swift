import Synchronization

/// The events of ``KVStore/watch(prefix:)``: `ready`, then `changed(key)` for every change under the prefix, and
/// `resync` whenever changes may have been missed. Each iteration subscribes anew; ending it (the consuming task
/// cancelled, the iterator dropped) releases what the subscription holds. Errors end the feed: `unsupported` from
/// a store without watches, `shutdown` when the store closes.
///
/// ```swift
/// let keys = Set(try await store.list(prefix: "config:").collect())   // then apply changes; on resync, list again
/// for try await event in store.watch(prefix: "config:") { print(event) }
/// ```
public struct KVWatchFeed: AsyncSequence, Sendable {
    public typealias Element = KVWatchEvent
    public typealias Failure = KVError

    /// Starts sending events to a channel; returns what ends the subscription.
    package typealias Subscribe = @Sendable (KVWatchChannel) throws(KVError) -> (@Sendable () -> Void)

    let subscribe: Subscribe
    let transform: (@Sendable (KVWatchEvent) -> KVWatchEvent?)?

    /// A feed whose iterations each call `subscribe` with a channel of their own.
    package init(subscribe: @escaping Subscribe) {
        self.subscribe = subscribe
        transform = nil
    }

    private init(subscribe: @escaping Subscribe, transform: (@Sendable (KVWatchEvent) -> KVWatchEvent?)?) {
        self.subscribe = subscribe
        self.transform = transform
    }

    /// A feed that fails at once with `unsupported`: the default of stores that have no watch.
    public static func unsupported(_ message: String) -> KVWatchFeed {
        KVWatchFeed { _ throws(KVError) in throw KVError(.unsupported, message) }
    }

    /// The same feed with each event passed through `next` (nil drops it): ``KVClient`` strips its namespace.
    package func mapEvents(_ next: @escaping @Sendable (KVWatchEvent) -> KVWatchEvent?) -> KVWatchFeed {
        guard let previous = transform else { return KVWatchFeed(subscribe: subscribe, transform: next) }
        return KVWatchFeed(subscribe: subscribe, transform: { previous($0).flatMap(next) })
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(subscription: Subscription(subscribe: subscribe), transform: transform)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let subscription: Subscription
        let transform: (@Sendable (KVWatchEvent) -> KVWatchEvent?)?

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(KVError) -> KVWatchEvent? {
            while let event = try await subscription.next() {
                guard let transform else { return event }
                if let mapped = transform(event) { return mapped }
            }
            return nil
        }

        public mutating func next() async throws(KVError) -> KVWatchEvent? {
            try await next(isolation: nil)
        }
    }

    /// One iteration's subscription: made on the first `next()`, ended when the iterator goes.
    final class Subscription: Sendable {
        private let subscribe: Subscribe
        private let channel = KVWatchChannel()
        private let ending = Mutex<(started: Bool, end: (@Sendable () -> Void)?)>((false, nil))

        init(subscribe: @escaping Subscribe) {
            self.subscribe = subscribe
        }

        deinit {
            channel.finish()
            ending.withLock { $0.end }?()
        }

        func next() async throws(KVError) -> KVWatchEvent? {
            let start = ending.withLock { state -> Bool in
                defer { state.started = true }
                return !state.started
            }
            if start {
                let end = try subscribe(channel)
                ending.withLock { $0.end = end }
            }
            return try await channel.next()
        }
    }
}
