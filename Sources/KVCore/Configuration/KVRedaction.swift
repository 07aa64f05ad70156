import Foundation

/// The one rule for secrets in anything printed: descriptions of URLs and configurations, JSON outputs,
/// errors and logs.
///
/// A URL's userinfo password and the value of every option whose name looks like a secret (``isSecret(option:)``)
/// show as `***`. Text that could not be parsed as a URL is printed with everything before its last `@` hidden.
///
/// ```swift
/// KVRedaction.isSecret(option: "sentinelPassword")            // true
/// KVRedaction.redactURLText("redis://u:p/w@127.0.0.1:6379")   // "redis://***@127.0.0.1:6379"
/// ```
public enum KVRedaction {
    /// What a secret is printed as.
    public static let mask = "***"

    private static let secretWords = ["password", "passwd", "secret", "token", "credential", "apikey", "privatekey"]
    private static let secretNames: Set<String> = ["auth", "pass", "pwd", "key"]

    /// Whether an option of this name holds a secret (any name containing password, secret, token, …).
    public static func isSecret(option name: String) -> Bool {
        let lower = name.lowercased()
        return secretNames.contains(lower) || secretWords.contains { lower.contains($0) }
    }

    /// `value`, or ``mask`` when the option `name` holds a secret.
    public static func value(_ value: String, ofOption name: String) -> String {
        isSecret(option: name) ? mask : value
    }

    /// `options` with every secret value masked.
    public static func options(_ options: [String: String]) -> [String: String] {
        options.reduce(into: [:]) { $0[$1.key] = value($1.value, ofOption: $1.key) }
    }

    /// URL text as typed by a user, safe to echo in an error: everything between the scheme and the last `@` is
    /// hidden (a password may contain `/`, `?` or `%`), and so are the values of secret query options.
    public static func redactURLText(_ text: String) -> String {
        var head = "", rest = Substring(text)
        if let schemeEnd = text.range(of: "://") {
            head = String(text[..<schemeEnd.upperBound])
            rest = text[schemeEnd.upperBound...]
        }
        if let at = rest.lastIndex(of: "@") {
            head += mask + "@"
            rest = rest[rest.index(after: at)...]
        }
        guard let question = rest.firstIndex(of: "?") else { return head + rest }
        let query = rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return String(pair) }
            return "\(parts[0])=\(value(String(parts[1]), ofOption: String(parts[0])))"
        }
        return head + rest[...question] + query.joined(separator: "&")
    }
}
