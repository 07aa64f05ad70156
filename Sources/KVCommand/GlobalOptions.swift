/// The store options users put before the subcommand, as with redis-cli and git: `kv --store URL get k`.
///
/// Every subcommand declares them (``StoreOptions``); this moves the ones written before the subcommand's
/// name to just after it, leaving everything else, and their order, as written.
enum GlobalOptions {
    /// Options that take a value.
    static let withValue: Set<String> = ["--store", "--config"]
    /// Flags.
    static let flags: Set<String> = ["--verbose"]

    static func reordered(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.prefix { $0 != "=" })
            if flags.contains(argument) || (withValue.contains(name) && argument.contains("=")) {
                leading.append(argument)
                index += 1
            } else if withValue.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count, !arguments[index].hasPrefix("-") else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}
