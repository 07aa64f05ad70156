#if HummingbirdSupport
import Hummingbird
public import KVCore

extension KVPersistDriver {
    /// The cached value of `key`, or what `load` returns, stored for `ttl`: `KVClient.getOrLoad(_:for:ttl:policy:tags:load:)`
    /// on the driver's client (one load per key at a time, stale values, tags).
    ///
    /// ```swift
    /// let page = try await persist.getOrLoad(key: "page:home", as: Page.self, ttl: .seconds(30)) { try await render() }
    /// ```
    public func getOrLoad<Object: Codable & Sendable>(
        key: String, as type: Object.Type, ttl: Duration, policy: KVCachePolicy = KVCachePolicy(), tags: [String] = [],
        load: @escaping @Sendable () async throws -> Object
    ) async throws -> Object {
        do {
            return try await client.getOrLoad(type, for: key, ttl: ttl, policy: policy, tags: tags, load: load)
        } catch let error as KVError where error.code == .decodingFailed {
            throw PersistError.invalidConversion
        }
    }

    /// Makes every entry cached with `tag` a miss from now on (`KVClient.invalidate(tag:)`).
    public func invalidate(tag: String) async throws {
        try await client.invalidate(tag: tag)
    }
}
#endif
