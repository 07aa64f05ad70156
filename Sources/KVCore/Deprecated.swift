// The names before the KV prefix, kept so that existing code still compiles (with a deprecation warning).

@available(*, deprecated, renamed: "KVJSONCodec") public typealias JSONCodec = KVJSONCodec
@available(*, deprecated, renamed: "KVPropertyListCodec") public typealias PropertyListCodec = KVPropertyListCodec
