import KVCore

/// A connected byte stream to a Redis node: a plain socket, or TLS over one. Blocking calls, each bounded by
/// the stream's I/O timeout. Not thread-safe: owned by one connection thread.
protocol RedisByteStream: AnyObject {
    /// Writes some of `bytes`; returns how many.
    ///
    /// - Throws: `timeout` when the I/O timeout passed, `connectionFailed` when the connection broke.
    func send(_ bytes: UnsafeRawBufferPointer) throws(KVError) -> Int
    /// Reads at least one byte into `buffer`; returns how many.
    ///
    /// - Throws: `timeout`, or `connectionFailed` (also when the peer closed the connection).
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(KVError) -> Int
    /// Bounds each following blocking send or receive.
    func setIOTimeout(_ timeout: Duration)
    /// Whether the peer closed the connection (or sent something unasked) while nothing was outstanding.
    var isClosedByPeer: Bool { get }
    /// The socket's descriptor.
    var descriptor: Int32 { get }
}
