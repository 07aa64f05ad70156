#if VaporSupport
public import KVCore
public import Vapor
import Foundation

/// Vapor's sessions on any store: `app.sessions.use(.kv(store))`, then `app.middleware.use(app.sessions.middleware)`
/// as with any driver. A session's data is stored as a JSON object under `namespace` + its id, with `ttl` as the
/// key's expiry, renewed by every change of the session (one week by default, as Vapor's default cookie). Ids are 32
/// bytes from the system's secure random source, base64url-encoded. Errors of the store reach the request (a store
/// that is down is an error, not a logout).
///
/// ```swift
/// app.sessions.use(.kv(store))
/// app.middleware.use(app.sessions.middleware)
/// app.get("login") { req async throws -> String in
///     req.session.data["user"] = "ada"
///     return "hello"
/// }
/// ```
public struct KVVaporSessions: AsyncSessionDriver {
    public let client: KVClient
    /// How long a session lives after its last change.
    public let ttl: Duration

    public init(store: any KVStore, namespace: String = "vapor-session:", ttl: Duration = .seconds(7 * 24 * 3600)) {
        client = KVClient(store: store, codec: KVJSONCodec(), namespace: namespace, storesRawValues: false)
        self.ttl = ttl
    }

    public func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        // A collision of 256 random bits does not happen, but `create` would say so rather than overwrite.
        let id = Self.newID()
        try await client.create(data, for: id.string, ttl: ttl)
        return id
    }

    public func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        try await client.get(SessionData.self, for: sessionID.string)
    }

    public func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        try await client.set(data, for: sessionID.string, options: .ttl(ttl))
        return sessionID
    }

    public func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
        try await client.delete(sessionID.string)
    }

    /// 32 bytes from `SystemRandomNumberGenerator` (the kernel's secure source), base64url without padding.
    package static func newID() -> SessionID {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return SessionID(string: text)
    }
}

extension Application.Sessions.Provider {
    /// Vapor's sessions on a store: `app.sessions.use(.kv(store))`. The store's background work runs from the
    /// application's boot to its shutdown (``KVVaporStoreRunner``).
    public static func kv(_ store: any KVStore, namespace: String = "vapor-session:", ttl: Duration = .seconds(7 * 24 * 3600)) -> Self {
        .init { application in
            KVVaporStoreRunner.install(for: store, on: application)
            application.sessions.use { _ in KVVaporSessions(store: store, namespace: namespace, ttl: ttl) }
        }
    }
}
#endif
