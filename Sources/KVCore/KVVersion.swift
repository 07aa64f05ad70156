/// The library's version, as `kv --version` prints it.
///
/// ```swift
/// print("swift-kv", KVVersion.current)
/// ```
public enum KVVersion {
    public static let current = "1.0.0"
}
