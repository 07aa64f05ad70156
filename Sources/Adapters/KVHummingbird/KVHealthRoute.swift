#if HummingbirdSupport
public import Hummingbird
public import KVCore

extension Router {
    /// `GET path`: the store's health report (`KVStore.health()`) as JSON, with status 200 when the store is healthy
    /// or degraded and 503 when it is unhealthy or the check fails (the error's message then says why).
    ///
    /// ```swift
    /// router.addKVHealthRoute("/health", store: store)
    /// ```
    @discardableResult
    public func addKVHealthRoute(_ path: RouterPath = "/health", store: any KVStore) -> Self {
        get(path) { _, _ -> Response in
            let (available, body) = await KVHealthJSON.check(store)
            return Response(
                status: available ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return self
    }
}
#endif
