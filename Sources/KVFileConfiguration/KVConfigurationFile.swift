#if FileConfiguration
public import KVCore
import Yams

/// The fields of a configuration file, JSON or YAML: `store` (a URL) and `options` (names to values).
///
/// Every value keeps the text it was written with: `password: 0123` is the string `0123` (not YAML 1.1's octal 83),
/// `clientName: 1:30` stays `1:30`, `on` stays `on` and `~` stays `~`. Typed options are then read from that
/// text by their declared type (`KVConfiguration.int(_:in:)`, `KVConfiguration.bool(_:)`,
/// `KVConfiguration.duration(_:)`), so `poolSize: 0x1F` is an error, not 31. A key given twice, at the top or
/// among the options, is an error. Errors give the line and column, never the file's text (it may hold a password).
///
/// ```swift
/// let file = try KVConfigurationFile("store: redis://127.0.0.1:6379\\noptions:\\n  password: 0123\\n")
/// file.options["password"]   // "0123"
/// ```
public struct KVConfigurationFile: Sendable, Hashable {
    public var store: String
    public var options: [String: String]

    public init(_ text: String, source: String = "configuration") throws(KVError) {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw .invalidConfiguration("\(source) is neither valid JSON nor valid YAML: \(Self.describe(error))")
        }
        guard case .mapping(let mapping)? = root else {
            throw .invalidConfiguration("\(source) must be a mapping with a \"store\" URL and optional \"options\"")
        }
        let fields = try Self.pairs(mapping, source: source, what: "field")
        let unknown = fields.map(\.name).filter { !["store", "options"].contains($0) }
        if !unknown.isEmpty {
            throw .invalidConfiguration("\(source) has unknown fields \(unknown.sorted()); known fields: store, options")
        }
        guard let storeNode = fields.first(where: { $0.name == "store" })?.value, case .scalar(let url) = storeNode, !url.string.isEmpty else {
            throw .invalidConfiguration("\(source) needs a \"store\" URL such as redis://127.0.0.1:6379")
        }
        store = url.string
        options = [:]
        if let optionsNode = fields.first(where: { $0.name == "options" })?.value {
            guard case .mapping(let optionMapping) = optionsNode else {
                throw .invalidConfiguration("\(source): \"options\" must be a mapping of names to values")
            }
            for (name, value) in try Self.pairs(optionMapping, source: source, what: "option") {
                guard case .scalar(let scalar) = value else {
                    throw .invalidConfiguration("\(source): option \"\(name)\"\(Self.at(value.mark)) must be a single value, not a list or mapping")
                }
                options[name] = scalar.string
            }
        }
    }

    /// The mapping's keys as text with their values, refusing a key given twice.
    private static func pairs(_ mapping: Node.Mapping, source: String, what: String) throws(KVError) -> [(name: String, value: Node)] {
        var result: [(name: String, value: Node)] = []
        var seen = Set<String>()
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw .invalidConfiguration("\(source): a \(what) name\(at(key.mark)) must be plain text")
            }
            guard seen.insert(scalar.string).inserted else {
                throw .invalidConfiguration("\(source): \(what) \"\(scalar.string)\" is given twice (again\(at(key.mark)))")
            }
            result.append((scalar.string, value))
        }
        return result
    }

    private static func at(_ mark: Mark?) -> String {
        mark.map { " at line \($0.line), column \($0.column)" } ?? ""
    }

    /// The parser's problem and position, without the text around it.
    private static func describe(_ error: any Error) -> String {
        guard let yaml = error as? YamlError else { return "unreadable text" }
        switch yaml {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(problem)\(at(mark))"
        case .reader(let problem, let offset, _, _):
            return "\(problem)\(offset.map { " at byte \($0)" } ?? "")"
        default:
            return "unreadable text"
        }
    }
}
#endif
