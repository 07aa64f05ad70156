/// State outside a connection that its server-side session depends on: commands it sends after the handshake
/// that change over time (the near cache's `CLIENT TRACKING ON REDIRECT <id>`), and what to do when it loses a
/// session (the server forgets what it tracked for it).
///
/// The connection reads ``generation`` before every pipeline: a session set up for an older generation is ended
/// and a new one set up with ``commands()`` before anything is sent on it. So a request whose caller read the
/// state before queueing it goes out on a session at least that recent.
package protocol RedisConnectionSetup: Sendable {
    /// Changes whenever ``commands()`` would answer differently.
    var generation: UInt64 { get }
    /// The commands for a new session, and the generation they belong to.
    func commands() -> (generation: UInt64, commands: [RedisCommand])
    /// The session set up for `generation` ended (closed, broken, timed out or replaced).
    func sessionEnded(generation: UInt64)
}
