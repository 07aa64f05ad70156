#if ConfigurationSupport
public import Configuration
public import KVCore

extension KVConfiguration {
    /// A store configuration read from apple/swift-configuration: `store` (a URL) and `options.NAME` for each
    /// option the URL's backend documents, from whatever providers the reader combines (environment variables,
    /// JSON or YAML files, in-memory values, ...).
    ///
    /// ```swift
    /// let config = ConfigReader(providers: [
    ///     EnvironmentVariablesProvider(),                       // KV_STORE, KV_OPTIONS_COMMAND_TIMEOUT, ...
    ///     InMemoryProvider(values: ["kv.store": "memory://"]),  // the default
    /// ])
    /// let configuration = try KVConfiguration(reader: config.scoped(to: "kv"), registry: KVStores.registry)
    /// let store = try await KVStores.open(configuration)
    /// ```
    ///
    /// The result is validated as a URL would be: an unknown scheme, a malformed URL or option value is
    /// `invalidConfiguration`, and secrets (the URL's password, options such as `password`) are read as secret,
    /// so swift-configuration's access reporters redact them, and print as `***` in the configuration's
    /// description. An option given both in the URL's query and as `options.NAME` takes the latter. Numbers and
    /// booleans may be typed values (a JSON `4`) or text (`"4"`, an environment variable).
    ///
    /// - Throws: `invalidConfiguration` when `store` is missing or anything read is invalid.
    public init(reader: ConfigReader, registry: KVBackendRegistry) throws(KVError) {
        guard let url = reader.string(forKey: "store", isSecret: true), !url.isEmpty else {
            throw .invalidConfiguration("the configuration has no \"store\" URL (such as redis://127.0.0.1:6379)")
        }
        let parsed = try KVStoreURL(url)
        guard let backend = registry.backend(for: parsed.scheme) else {
            // The registry's open gives the usual error naming the known schemes.
            self.init(url: parsed)
            return
        }
        var options: [String: String] = [:]
        for option in backend.options {
            if let text = Self.text(of: option.name, in: reader.scoped(to: "options")) { options[option.name] = text }
        }
        self.init(url: parsed, options: options)
    }

    /// An option's value as the text the URL form would carry, whatever type the provider holds it as.
    private static func text(of name: String, in reader: ConfigReader) -> String? {
        let key = ConfigKey([name])
        let secret = KVRedaction.isSecret(option: name)
        if let text = reader.string(forKey: key, isSecret: secret) { return text }
        if let number = reader.int(forKey: key, isSecret: secret) { return String(number) }
        if let number = reader.double(forKey: key, isSecret: secret) { return String(number) }
        if let flag = reader.bool(forKey: key, isSecret: secret) { return String(flag) }
        return nil
    }
}
#endif
