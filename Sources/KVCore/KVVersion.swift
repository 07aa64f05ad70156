/// The library's version, as `kv --version` prints it.
///
/// ```swift
/// print("swift-kv", KVVersion.current)
/// ```
public enum KVVersion {
    public static let current = "0.9.0"
}
