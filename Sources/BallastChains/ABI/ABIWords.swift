import Foundation
import BigInt

/// Why an ABI return value could not be read.
public struct ABIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The 32-byte words of an ABI-encoded return value (static types only, which is all the
/// calls Ballast makes return).
///
/// Every accessor checks what a careless decoder would not: that the word exists, that the
/// bits above a narrow type's width are zero (a `uint112` with high bits set is not a
/// `uint112`), and that a signed value is properly sign-extended.
struct ABIWords {
    private let bytes: [UInt8]

    /// Parses `0x…` return data; refuses `0x` (a call to an address with no code answers
    /// that) and lengths that are not whole words.
    init(hex: String) throws(ABIError) {
        guard let bytes = Hex.bytes(hex) else { throw ABIError(message: "return data is not 0x-prefixed hex") }
        guard !bytes.isEmpty else { throw ABIError(message: "empty return data (no contract at that address?)") }
        guard bytes.count % 32 == 0 else { throw ABIError(message: "return data is \(bytes.count) bytes, not a whole number of 32-byte words") }
        self.bytes = bytes
    }

    var count: Int { bytes.count / 32 }

    private func word(_ index: Int) throws(ABIError) -> ArraySlice<UInt8> {
        guard index < count else { throw ABIError(message: "return data has \(count) words, expected at least \(index + 1)") }
        return bytes[index * 32..<(index + 1) * 32]
    }

    /// A `uint<bits>` at word `index`.
    func unsigned(_ index: Int, bits: Int) throws(ABIError) -> BigUInt {
        let value = BigUInt(Data(try word(index)))
        guard value.bitWidth <= bits else {
            throw ABIError(message: "word \(index) does not fit uint\(bits)")
        }
        return value
    }

    /// An `int<bits>` at word `index`, two's complement over the whole word.
    func signed(_ index: Int, bits: Int) throws(ABIError) -> BigInt {
        let raw = BigUInt(Data(try word(index)))
        let value = raw >> 255 == 1 ? BigInt(raw) - (BigInt(1) << 256) : BigInt(raw)
        let limit = BigInt(1) << (bits - 1)
        guard value >= -limit, value < limit else {
            throw ABIError(message: "word \(index) does not fit int\(bits)")
        }
        return value
    }

    /// An `address` at word `index`, lower-case hex.
    func address(_ index: Int) throws(ABIError) -> String {
        let w = try word(index)
        guard w.prefix(12).allSatisfy({ $0 == 0 }) else { throw ABIError(message: "word \(index) is not an address") }
        return Hex.string(w.suffix(20))
    }
}

/// Calldata for the few view functions Ballast reads. Selectors are the first four bytes
/// of keccak-256 of the signature.
enum ContractFunction: String, Sendable {
    case getReserves = "0x0902f1ac"      // getReserves()
    case slot0 = "0x3850c7bd"            // slot0()
    case latestRoundData = "0xfeaf968c"  // latestRoundData()
    case decimals = "0x313ce567"         // decimals()
    case token0 = "0x0dfe1681"           // token0()
    case balanceOf = "0x70a08231"        // balanceOf(address)

    /// The calldata: the selector, then the address argument left-padded to a word.
    func calldata(address: String? = nil) -> String {
        guard let address else { return rawValue }
        return rawValue + String(repeating: "0", count: 24) + address.dropFirst(2).lowercased()
    }
}
