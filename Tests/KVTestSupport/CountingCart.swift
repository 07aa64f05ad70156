import Synchronization

/// A `Codable` cart that counts how often it is decoded, per owner (so that tests running in parallel each count
/// their own): tests of decoded values kept beside cached entries.
public struct CountingCart: Codable, Sendable, Equatable {
    private static let decodes = Mutex<[String: Int]>([:])
    public var owner: String
    public var items: [String]

    public init(owner: String, items: [String]) {
        self.owner = owner
        self.items = items
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        owner = try container.decode(String.self, forKey: .owner)
        items = try container.decode([String].self, forKey: .items)
        Self.decodes.withLock { $0[owner, default: 0] += 1 }
    }

    /// How many carts of `owner` were decoded so far.
    public static func decodes(of owner: String) -> Int { decodes.withLock { $0[owner] ?? 0 } }
}
