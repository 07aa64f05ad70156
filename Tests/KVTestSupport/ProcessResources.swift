import Foundation

/// This process's threads and open descriptors, read from `/proc/self`: to check that a store leaves nothing
/// behind.
public enum ProcessResources {
    /// Threads of this process whose name starts with `name` (`kv-redis` for connection threads).
    public static func threads(named name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.hasPrefix(name) == true }.count
    }

    /// Open socket descriptors of this process.
    public static var sockets: Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)"))?.hasPrefix("socket:") == true }.count
    }
}
