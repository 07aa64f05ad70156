#if HummingbirdSupport
import Hummingbird
public import KVCore

extension KVPersistDriver {
    /// Reads the value, lets `body` change it, and writes it back only if nobody wrote in between
    /// (`KVClient.update`: compare-and-set, retried with jittered backoff on a conflict). `get` then `set` loses
    /// updates under concurrency: 64 connections bumping one counter that way kept about 5,500 of 120,000. Setting
    /// the value to nil deletes the key. With `expires` nil the key keeps its expiry; zero or less deletes it.
    ///
    /// ```swift
    /// let cart = try await persist.update(key: "cart:7", as: Cart.self) { cart in
    ///     cart = (cart ?? Cart()).adding("tea")
    /// }
    /// ```
    ///
    /// - Throws: `PersistError.invalidConversion` when the stored value is not an `Object`; `KVError` `conflict`
    ///   after too many concurrent writers in a row, `outcomeUnknown` when the write may or may not have happened.
    @discardableResult
    public func update<Object: Codable & Sendable>(
        key: String, as type: Object.Type, expires: Duration? = nil, retry: KVUpdateRetry = .default,
        _ body: (inout Object?) throws(KVError) -> Void
    ) async throws -> Object? {
        if let expires, expires <= .zero {
            try await client.delete(key)
            return nil
        }
        let options = expires.map { KVSetOptions(ttl: $0) } ?? KVSetOptions(keepTTL: true)
        do {
            return try await client.update(type, for: key, options: options, retry: retry, body)
        } catch {
            throw error.code == .decodingFailed ? PersistError.invalidConversion : error
        }
    }

    /// Adds `delta` to the integer under `key` atomically and returns the new value (a missing key counts as 0, and
    /// gets `expires` as its expiry, which must be positive). `get(key:as: Int.self)` reads it.
    ///
    /// ```swift
    /// let visits = try await persist.increment(key: "visits")
    /// ```
    ///
    /// - Throws: `KVError` `notAnInteger` when the value is not a decimal integer, `overflow`, or any store error.
    @discardableResult
    public func increment(key: String, by delta: Int = 1, expires: Duration? = nil) async throws -> Int {
        Int(try await client.increment(key, by: Int64(delta), ttlIfCreated: expires))
    }
}
#endif
