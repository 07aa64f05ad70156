import Foundation

/// The answer of the adapters' health routes: the store's report as JSON, and whether the store can serve
/// (healthy or degraded). A failed check is unavailable, with the error's message.
package enum KVHealthJSON {
    package static func check(_ store: any KVStore) async -> (available: Bool, body: [UInt8]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            let report = try await store.health()
            let body = (try? encoder.encode(report)).map { Array($0) } ?? Array(#"{"status":"\#(report.status.rawValue)"}"#.utf8)
            return (report.status != .unhealthy, body)
        } catch {
            let body = (try? encoder.encode(["status": "unhealthy", "error": "\(error)"])).map { Array($0) } ?? []
            return (false, body)
        }
    }
}
