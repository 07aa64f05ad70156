import Foundation
public import Synchronization

/// A tiny fake Redis node on loopback that answers each command with a reply the test crafts: for hostile or
/// broken servers (malformed redirects and slot maps, trickling replies) that a real server never sends.
///
/// ```swift
/// let node = try FakeRedisNode { command in command[0] == "GET" ? .trickle(Array("$1\r\nx\r\n".utf8), every: .seconds(1)) : .bytes(Array("+OK\r\n".utf8)) }
/// ```
public final class FakeRedisNode: Sendable {
    public enum Reply: Sendable {
        /// These bytes, at once.
        case bytes([UInt8])
        /// These bytes, one at a time with a pause before each.
        case trickle([UInt8], every: Duration)
        /// Close the connection without answering.
        case close
    }

    public let port: Int
    public var endpoint: String { "127.0.0.1:\(port)" }
    private let listener: Int32
    private let sockets = Mutex<(open: Set<Int32>, closed: Bool)>(([], false))
    /// Every command received, in order, as text.
    public let received = Mutex<[[String]]>([])

    public init(_ handler: @escaping @Sendable ([String]) -> Reply) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound, listen(listener, 64) == 0 else { throw CocoaError(.fileWriteUnknown) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                guard sockets.withLock({ $0.closed ? false : $0.open.insert(client).inserted }) else { Glibc.close(client); return }
                Thread { self.serve(client, handler) }.start()
            }
        }.start()
    }

    deinit { close() }

    /// Stops accepting and drops every connection.
    public func close() {
        let (wasOpen, clients) = sockets.withLock { state in
            defer { state = ([], true) }
            return (!state.closed, state.open)
        }
        guard wasOpen else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        for client in clients { shutdown(client, Int32(SHUT_RDWR)) }
    }

    private func serve(_ client: Int32, _ handler: @Sendable ([String]) -> Reply) {
        defer {
            sockets.withLock { _ = $0.open.remove(client) }
            Glibc.close(client)
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            while let (command, used) = Self.parse(buffer) {
                buffer.removeFirst(used)
                received.withLock { $0.append(command) }
                switch handler(command) {
                case .bytes(let bytes):
                    guard write(client, bytes) else { return }
                case .trickle(let bytes, let pause):
                    for byte in bytes {
                        Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
                        guard write(client, [byte]) else { return }
                    }
                case .close:
                    return
                }
            }
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            buffer += chunk[0..<count]
        }
    }

    private func write(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) == bytes.count }
    }

    /// One RESP array of bulk strings from the front of `buffer`, and the bytes it used; nil until complete.
    static func parse(_ buffer: [UInt8]) -> ([String], Int)? {
        var index = 0
        func line() -> String? {
            guard let end = buffer[index...].firstIndex(of: UInt8(ascii: "\r")), end + 1 < buffer.count else { return nil }
            defer { index = end + 2 }
            return String(decoding: buffer[index..<end], as: UTF8.self)
        }
        guard let header = line(), header.first == "*", let count = Int(header.dropFirst()) else { return nil }
        var arguments: [String] = []
        for _ in 0..<count {
            guard let size = line(), size.first == "$", let length = Int(size.dropFirst()), index + length + 2 <= buffer.count else { return nil }
            arguments.append(String(decoding: buffer[index..<index + length], as: UTF8.self))
            index += length + 2
        }
        return (arguments, index)
    }
}
