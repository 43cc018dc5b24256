/// A chain by its configured name and its EIP-155 chain id.
public struct Chain: Sendable, Hashable, Codable {
    public var name: String
    public var chainID: Int

    public init(name: String, chainID: Int) {
        self.name = name
        self.chainID = chainID
    }

    enum CodingKeys: String, CodingKey {
        case name
        case chainID = "chain_id"
    }
}
