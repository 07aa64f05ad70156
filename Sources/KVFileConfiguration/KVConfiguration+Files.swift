#if FileConfiguration
public import Foundation
public import KVCore

/// Configurations from JSON or YAML files and from the environment (`KV_STORE`, `KV_CONFIG`).
extension KVConfiguration {
    /// Reads a JSON or YAML file of the form `{ "store": URL, "options": { name: value } }`.
    public static func load(file path: String) throws(KVError) -> KVConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .invalidConfiguration("cannot read configuration file \(path): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    /// Parses configuration text, JSON or YAML (see ``KVConfigurationFile`` for the rules).
    public static func parse(_ text: String, source: String = "configuration") throws(KVError) -> KVConfiguration {
        let file = try KVConfigurationFile(text, source: source)
        return try KVConfiguration(url: file.store, options: file.options)
    }

    /// The configuration named by the environment: `KV_STORE` (a URL) or else `KV_CONFIG` (a file), or `nil`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(KVError) -> KVConfiguration? {
        if let store = try fromStoreVariable(environment) { return store }
        if let file = environment["KV_CONFIG"], !file.isEmpty { return try load(file: file) }
        return nil
    }

    /// Resolves the usual precedence: an explicit URL, then an explicit file, then the environment, then `memory://`.
    public static func resolve(
        url: String? = nil, file: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KVError) -> KVConfiguration {
        if let url { return try KVConfiguration(url: url) }
        if let file { return try load(file: file) }
        return try fromEnvironment(environment) ?? .memory
    }
}
#endif
