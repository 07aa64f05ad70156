import Foundation

/// Which decode produced a kept value: the value's type and the codec's. ``KVClient`` asks a store that keeps
/// values in memory (``KVDecodedValueStore``) for the value decoded beside the bytes, so that a hit skips decoding.
@usableFromInline
package struct KVDecodedTag: Hashable, Sendable {
    @usableFromInline let type: ObjectIdentifier
    @usableFromInline let codec: ObjectIdentifier

    /// nil when a decoded value must not be kept: a class (every reader would share one instance), a raw type
    /// (`String`, `[UInt8]`, `Data`: nothing to decode), or a codec other than the package's own (see
    /// ``codecIdentity(_:)``).
    /// With `rawAsIs`, the types stored as they are have nothing to decode and get no tag.
    @inlinable
    package init?<T>(_ type: T.Type, codec: ObjectIdentifier?, rawAsIs: Bool = true) {
        guard let codec, !(T.self is AnyObject.Type), !(rawAsIs && Self.isRaw(T.self)) else { return nil }
        self.type = ObjectIdentifier(T.self)
        self.codec = codec
    }

    /// Whether `type` is stored raw (`String`, `[UInt8]`, `Data`): nothing to decode.
    @usableFromInline
    static func isRaw<T>(_ type: T.Type) -> Bool {
        T.self == String.self || T.self == [UInt8].self || T.self == Data.self
    }

    /// ``init(_:codec:)`` for a codec not yet identified.
    package init?<T>(_ type: T.Type, codec: any KVCodec) {
        self.init(type, codec: Self.codecIdentity(codec))
    }

    /// The identity of one of the package's codecs, whose instances all decode alike; nil for any other codec,
    /// which may decode the same bytes differently from one instance to the next.
    package static func codecIdentity(_ codec: any KVCodec) -> ObjectIdentifier? {
        codec is KVJSONCodec || codec is KVPropertyListCodec ? ObjectIdentifier(Swift.type(of: codec)) : nil
    }
}

/// A decoded value kept beside the bytes it was decoded from. It holds those bytes, so their buffer is never
/// reused for other bytes: the value is current exactly while the entry still holds that very buffer, whatever
/// path replaced the entry's bytes since. A class, so that handing it from an entry to a reader is one retain.
@usableFromInline
package final class KVDecodedValue: Sendable {
    @usableFromInline package let tag: KVDecodedTag
    @usableFromInline package let source: [UInt8]
    @usableFromInline let value: any Sendable

    @usableFromInline
    package init(tag: KVDecodedTag, source: [UInt8], value: any Sendable) {
        self.tag = tag
        self.source = source
        self.value = value
    }

    /// The value, if it was decoded with `tag` from `bytes` (the same buffer, not merely equal bytes).
    @inlinable
    package func value<T>(_ type: T.Type, tag: KVDecodedTag, for bytes: [UInt8]) -> T? {
        guard tag == self.tag, Self.sameBuffer(bytes, source) else { return nil }
        return value as? T
    }

    /// Whether two arrays share one buffer (so hold the same bytes).
    @inlinable
    package static func sameBuffer(_ first: [UInt8], _ second: [UInt8]) -> Bool {
        first.count == second.count
            && first.withUnsafeBufferPointer { one in second.withUnsafeBufferPointer { other in one.baseAddress == other.baseAddress } }
    }
}

/// What a store that keeps values in memory could answer at once (``KVDecodedValueStore/peekKept(_:)``).
@usableFromInline
package enum KVPeek: Sendable {
    /// The key's bytes, with the decoded value kept beside them if any.
    case found(KVKeptRead)
    /// The key is absent.
    case absent
    /// Not without I/O (a near-cache miss): ask ``KVDecodedValueStore/getKept(_:)``.
    case unknown
}

/// What ``KVDecodedValueStore/getKept(_:)`` read: the key's bytes and the decoded value kept beside them, if any.
@usableFromInline
package struct KVKeptRead: Sendable {
    @usableFromInline package var bytes: [UInt8]
    @usableFromInline package var kept: KVDecodedValue?

    @inlinable
    package init(bytes: [UInt8], kept: KVDecodedValue?) {
        self.bytes = bytes
        self.kept = kept
    }
}

/// A store that keeps values in memory (the memory store, a near cache) and can keep a decoded value beside one:
/// ``KVClient/get(_:for:)`` then returns it without decoding. The kept value goes with the entry's bytes: any
/// write, invalidation, expiry or eviction of the key drops it. Not generic, so that a call through the protocol
/// costs no runtime type work: ``KVClient`` (inlined into its caller) casts and decodes.
@usableFromInline
package protocol KVDecodedValueStore: KVStore {
    /// What memory answers for `key` without waiting: the memory store always answers, a near cache on a hit.
    func peekKept(_ key: String) throws(KVError) -> KVPeek
    /// The bytes of `key` and the decoded value kept beside them; nil when the key is absent.
    func getKept(_ key: String) async throws(KVError) -> KVKeptRead?
    /// Keeps `value` beside `key`'s bytes if they are still the very buffer it was decoded from.
    func keep(_ value: KVDecodedValue, for key: String)
}
