// The names before the KV prefix, kept so that existing code still compiles (with a deprecation warning).

@available(*, deprecated, renamed: "KVSoakRunner") public typealias Soak = KVSoakRunner
@available(*, deprecated, renamed: "KVSoakReport") public typealias SoakReport = KVSoakReport
