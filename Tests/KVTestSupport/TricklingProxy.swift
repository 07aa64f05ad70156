import Foundation
import Glibc
import KVCore
import Synchronization

/// A TCP proxy on loopback that passes what clients send at once and what the server answers one byte per
/// `interval`: a peer that trickles a TLS handshake. Threads of its own; everything is closed by ``stop()``.
public final class TricklingProxy: Sendable {
    public let port: Int
    private let listener: Int32
    private let stopped = Atomic<Bool>(false)
    private let descriptors = Mutex<[Int32]>([])

    public init(to targetPort: Int, interval: Duration = .milliseconds(100)) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw KVError(.connectionFailed, "socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 16) == 0 else { throw KVError(.connectionFailed, "bind/listen: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in accepting(targetPort: targetPort, interval: interval) }.start()
    }

    deinit { stop() }

    /// Closes the listener and every connection; the threads end on their next read or write.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for descriptor in descriptors.withLock({ $0 }) { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func accepting(targetPort: Int, interval: Duration) {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else {
                close(client)
                close(server)
                continue
            }
            descriptors.withLock { $0 += [client, server] }
            Thread { [self] in pass(from: client, to: server, chunk: 4096, interval: nil) }.start()
            Thread { [self] in pass(from: server, to: client, chunk: 1, interval: interval) }.start()
        }
    }

    private func pass(from source: Int32, to destination: Int32, chunk: Int, interval: Duration?) {
        var buffer = [UInt8](repeating: 0, count: chunk)
        while !stopped.load(ordering: .relaxed) {
            let count = recv(source, &buffer, chunk, 0)
            guard count > 0, send(destination, buffer, count, Int32(MSG_NOSIGNAL)) == count else { break }
            if let interval { Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds)) }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
    }
}
