/// Hex text as EVM JSON-RPC writes it: `0x` followed by hex digits.
enum Hex {
    /// The bytes of `0x…` data (an even number of digits); nil for anything else.
    static func bytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X"),
              utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var i = 2
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }

    /// A JSON-RPC quantity (`0x1b4`): no leading zeros required, at most 64 bits.
    static func quantity(_ text: String) -> UInt64? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 3, utf8.count <= 18, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") else { return nil }
        var value: UInt64 = 0
        for byte in utf8[2...] {
            guard let digit = nibble(byte) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: "x")]
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
