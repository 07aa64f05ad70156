#if VaporSupport
public import KVCore
public import Vapor
import Foundation

extension RoutesBuilder {
    /// `GET path`: the store's health report (`KVStore.health()`) as JSON, with status 200 when the store is healthy
    /// or degraded and 503 when it is unhealthy or the check fails (the error's message then says why).
    ///
    /// ```swift
    /// app.kvHealth("health", store: store)
    /// ```
    @discardableResult
    public func kvHealth(_ path: PathComponent..., store: any KVStore) -> Route {
        get(path) { _ async -> Response in
            let (available, body) = await KVHealthJSON.check(store)
            return Response(status: available ? .ok : .serviceUnavailable, headers: ["Content-Type": "application/json"], body: .init(data: Data(body)))
        }
    }
}
#endif
