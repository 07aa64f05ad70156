import Foundation

/// Which decode produced a kept value: the value's type and the codec's. ``KVClient`` asks a store that keeps
/// values in memory (``KVDecodedValueStore``) for the value decoded beside the bytes, so that a hit skips decoding.
package struct KVDecodedTag: Hashable, Sendable {
    let type: ObjectIdentifier
    let codec: ObjectIdentifier

    /// nil when a decoded value must not be kept: a class (every reader would share one instance), a raw type
    /// (`String`, `[UInt8]`, `Data`: nothing to decode), or a codec other than the package's own, which may decode
    /// the same bytes differently from one instance to the next.
    package init?<T>(_ type: T.Type, codec: any KVCodec) {
        guard !(T.self is AnyObject.Type), !(T.self == String.self || T.self == [UInt8].self || T.self == Data.self),
              codec is KVJSONCodec || codec is KVPropertyListCodec else { return nil }
        self.type = ObjectIdentifier(T.self)
        self.codec = ObjectIdentifier(Swift.type(of: codec))
    }
}

/// A decoded value kept beside the bytes it was decoded from. It holds those bytes, so their buffer is never
/// reused for other bytes: the value is current exactly while the entry still holds that very buffer, whatever
/// path replaced the entry's bytes since.
package struct KVDecodedValue: Sendable {
    package let tag: KVDecodedTag
    let source: [UInt8]
    let value: any Sendable

    package init(tag: KVDecodedTag, source: [UInt8], value: any Sendable) {
        self.tag = tag
        self.source = source
        self.value = value
    }

    /// The value, if it was decoded with `tag` from `bytes` (the same buffer, not merely equal bytes).
    @inline(__always)
    package func value<T>(_ type: T.Type, tag: KVDecodedTag, for bytes: [UInt8]) -> T? {
        guard tag == self.tag, Self.sameBuffer(bytes, source) else { return nil }
        return value as? T
    }

    /// Whether two arrays share one buffer (so hold the same bytes).
    @inline(__always)
    package static func sameBuffer(_ first: [UInt8], _ second: [UInt8]) -> Bool {
        first.count == second.count
            && first.withUnsafeBufferPointer { one in second.withUnsafeBufferPointer { other in one.baseAddress == other.baseAddress } }
    }
}

/// A store that keeps values in memory (the memory store, a near cache) and can keep a decoded value beside one:
/// ``KVClient/get(_:for:)`` then returns it without decoding. The kept value goes with the entry's bytes: any
/// write, invalidation, expiry or eviction of the key drops it.
package protocol KVDecodedValueStore: KVStore {
    /// The value of `key` as `decode` makes it from the key's bytes, or the one kept for `tag` beside those very
    /// bytes; nil when the key is absent. A value decoded here is kept for the next reader.
    func get<T: Sendable>(_ key: String, decoded tag: KVDecodedTag, _ decode: ([UInt8]) throws(KVError) -> T) async throws(KVError) -> T?
}
