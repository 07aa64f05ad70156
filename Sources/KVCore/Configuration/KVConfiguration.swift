import Foundation

/// Which store to open and how: a URL plus options.
///
/// Options come from the URL's query and from ``options``; an explicit option wins over the query.
/// A configuration is made from a URL, from a JSON or YAML file, or from the environment:
///
/// ```swift
/// let config = try KVConfiguration(url: "redis://127.0.0.1:6379/0", options: ["commandTimeout": "2s"])
/// let fromFile = try KVConfiguration.load(file: "kv.yaml")   // store: redis://...  options: {...}
/// let fromEnv = try KVConfiguration.fromEnvironment()        // KV_STORE, KV_CONFIG
/// ```
public struct KVConfiguration: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    public var url: KVStoreURL
    /// Every option, the URL query's merged with the explicit ones.
    public var options: [String: String]

    public init(url: KVStoreURL, options: [String: String] = [:]) {
        self.url = url
        self.options = url.query.merging(options) { _, explicit in explicit }
    }

    public init(url: String, options: [String: String] = [:]) throws(KVError) {
        self.init(url: try KVStoreURL(url), options: options)
    }

    /// The embedded memory store, the default when nothing is configured.
    public static var memory: KVConfiguration { KVConfiguration(url: KVStoreURL(scheme: "memory")) }

    public var scheme: String { url.scheme }

    /// The URL and the options not already in it, with secrets shown as `***` (see ``KVRedaction``).
    public var description: String {
        let extra = options.filter { url.query[$0.key] != $0.value }
        guard !extra.isEmpty else { return url.description }
        let shown = extra.sorted { $0.key < $1.key }.map { "\($0.key)=\(KVRedaction.value($0.value, ofOption: $0.key))" }
        return "\(url) [\(shown.joined(separator: ", "))]"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }

    // MARK: Sources

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
        if let url = environment["KV_STORE"], !url.isEmpty { return try KVConfiguration(url: url) }
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
