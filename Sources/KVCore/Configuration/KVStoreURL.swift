import Foundation

/// A parsed store URL: `scheme://[user[:password]@]host[,host...][/path][?name=value&...]`.
///
/// The host part is a comma-separated list whose entries may be named (`shard1=127.0.0.1:7000`), which
/// ordinary URL parsers reject; this parser accepts it. User, password and query values are percent-decoded.
/// The userinfo ends at the last `@` (so a password may contain `/`, `?` or `@` unencoded), unless that `@`
/// is inside a query value (`?name=a@b`). The ``description``, the mirror and every parse error hide the
/// password and secret options (see ``KVRedaction``).
public struct KVStoreURL: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    public var scheme: String
    public var user: String?
    public var password: String?
    /// The comma-separated entries of the host part, as written (may be empty, as in `memory://`).
    public var hosts: [String]
    /// The path without its leading `/` (for redis, the database number).
    public var path: String
    /// The query options.
    public var query: [String: String]

    /// A URL from its parts, as parsing would give them.
    public init(scheme: String, user: String? = nil, password: String? = nil, hosts: [String] = [], path: String = "", query: [String: String] = [:]) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.hosts = hosts
        self.path = path
        self.query = query
    }

    public init(_ text: String) throws(KVError) {
        guard let schemeEnd = text.range(of: "://") else {
            throw .invalidConfiguration("store URL \(KVError.render(KVRedaction.redactURLText(text))) has no scheme; expected a form like memory://, redis://host:port, ring://name=host:port,... or cluster://host:port,...")
        }
        scheme = String(text[..<schemeEnd.lowerBound]).lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" }) else {
            throw .invalidConfiguration("store URL \(KVError.render(KVRedaction.redactURLText(text))) has an invalid scheme")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        user = nil
        password = nil
        if let at = rest.lastIndex(of: "@"), !Self.looksLikeQuery(rest[..<at]) {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let name = try Self.decode(userInfo[..<colon], part: "the user name")
                user = name.isEmpty ? nil : name
                password = try Self.decode(userInfo[userInfo.index(after: colon)...], part: "the password")
            } else {
                user = try Self.decode(userInfo, part: "the user name")
            }
        }
        var queryText: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            queryText = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var authority = rest
        path = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = String(rest[rest.index(after: slash)...])
        }
        hosts = authority.isEmpty ? [] : authority.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if hosts.contains(where: \.isEmpty) {
            throw .invalidConfiguration("store URL \(KVError.render(KVRedaction.redactURLText(text))) has an empty host entry")
        }
        query = [:]
        for pair in queryText.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0], part: "an option name")
            query[name] = parts.count > 1 ? try Self.decode(parts[1], part: "option \(name)", echo: !KVRedaction.isSecret(option: name)) : ""
        }
    }

    public var description: String {
        var text = "\(scheme)://"
        if user != nil || password != nil {
            text += user ?? ""
            if password != nil { text += ":***" }
            text += "@"
        }
        text += hosts.joined(separator: ",")
        if !path.isEmpty { text += "/" + path }
        if !query.isEmpty {
            text += "?" + query.sorted { $0.key < $1.key }.map { "\($0.key)=\(KVRedaction.value($0.value, ofOption: $0.key))" }.joined(separator: "&")
        }
        return text
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }

    /// Whether `text` (what precedes an `@`) contains a query: a `?` followed by `name=`.
    private static func looksLikeQuery(_ text: Substring) -> Bool {
        var rest = text
        while let question = rest.firstIndex(of: "?") {
            rest = rest[rest.index(after: question)...]
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
            if !name.isEmpty, rest.dropFirst(name.count).first == "=" { return true }
        }
        return false
    }

    /// Percent-decodes one part of the URL; an error names the part and echoes it only when `echo` (never userinfo).
    private static func decode(_ text: Substring, part: String, echo: Bool = false) throws(KVError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw .invalidConfiguration("bad percent-encoding in \(part)\(echo ? " " + KVError.render(String(text)) : ""): % must be followed by two hex digits")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
