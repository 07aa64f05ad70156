public import Foundation

/// Which store to open and how: a URL plus options.
///
/// Options come from the URL's query and from ``options``; an explicit option wins over the query.
/// A configuration is made from a URL, from a JSON or YAML file or the environment (`KVFileConfiguration`, trait
/// `FileConfiguration`), or from a swift-configuration `ConfigReader` (`KVSwiftConfiguration`):
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

    /// The store `KV_STORE` names, or `nil` when it is unset or empty. (`KV_CONFIG` files are
    /// `KVFileConfiguration`'s, in `fromEnvironment` and `resolve`.)
    public static func fromStoreVariable(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(KVError) -> KVConfiguration? {
        guard let url = environment["KV_STORE"], !url.isEmpty else { return nil }
        return try KVConfiguration(url: url)
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
}
