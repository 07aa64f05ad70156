import Foundation

/// A documented option of a backend, listed in errors and in `docs/configuration.md`.
public struct KVOptionInfo: Sendable, Hashable {
    public var name: String
    public var summary: String
    public init(_ name: String, _ summary: String) {
        self.name = name
        self.summary = summary
    }
}

extension KVConfiguration {
    /// Fails when an option is not among `known`, listing the known ones.
    public func requireKnownOptions(_ known: [KVOptionInfo]) throws(KVError) {
        let names = Set(known.map(\.name))
        if let unknown = options.keys.sorted().first(where: { !names.contains($0) }) {
            let list = known.map(\.name).sorted().joined(separator: ", ")
            throw .invalidConfiguration("unknown option \"\(unknown)\" for \(scheme)://; known options: \(list.isEmpty ? "none" : list)")
        }
    }

    /// A string option.
    public func string(_ name: String) -> String? { options[name] }

    /// An integer option.
    public func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(KVError) -> Int? {
        guard let text = options[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .invalidConfiguration("option \(name)=\(text) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A boolean option: `true/false`, `yes/no`, `1/0`.
    public func bool(_ name: String) throws(KVError) -> Bool? {
        guard let text = options[name] else { return nil }
        switch text.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw .invalidConfiguration("option \(name)=\(text) must be true or false")
        }
    }

    /// A duration option: seconds (`1.5`), or with a unit (`250ms`, `2s`, `1m`).
    public func duration(_ name: String) throws(KVError) -> Duration? {
        guard let text = options[name] else { return nil }
        guard let duration = Self.parseDuration(text), duration > .zero else {
            throw .invalidConfiguration(
                "option \(name)=\(text) must be a positive duration of at most \(Int(KVLimits.maxOptionSeconds))s (one day), such as 1.5, 250ms, 2s or 1m")
        }
        return duration
    }

    /// Parses `1.5`, `250ms`, `2s`, `1m`, `10us`.
    public static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("s", 1), ("m", 60)]
        var number = Substring(text.trimmingCharacters(in: .whitespaces))
        var scale = 1.0
        for (suffix, factor) in units where number.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number) else { return nil }
        return Duration.checkedSeconds(value * scale, in: 0...KVLimits.maxOptionSeconds)
    }
}
