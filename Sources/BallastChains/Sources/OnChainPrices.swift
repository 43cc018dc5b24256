import BallastCore
import BigInt
import Foundation

/// A constant-product pool's reserves as read: the priced token against its quote token.
package struct PoolReserves: Sendable, Equatable {
    package var base: Amount
    package var quote: Amount
}

/// Uniswap V2: `token0()` says which reserve is which; `getReserves()` returns
/// `(uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)`.
package enum UniswapV2 {
    package static func reserves(token0: String, getReserves: String, base: ChainToken, quote: ChainToken) throws(SourceError) -> PoolReserves {
        let baseIsToken0 = try PairOrder.baseIsToken0(token0Result: token0, base: base, quote: quote)
        let reserve0: BigUInt, reserve1: BigUInt
        do throws(ABIError) {
            let words = try ABIWords(hex: getReserves)
            guard words.count == 3 else { throw ABIError(message: "returned \(words.count) words, expected 3") }
            reserve0 = try words.unsigned(0, bits: 112)
            reserve1 = try words.unsigned(1, bits: 112)
            _ = try words.unsigned(2, bits: 32)
        } catch {
            throw SourceError("getReserves: \(error.message)")
        }
        guard reserve0 > 0, reserve1 > 0 else { throw SourceError("getReserves: the pair has no liquidity (a reserve is 0)") }
        let (baseUnits, quoteUnits) = baseIsToken0 ? (reserve0, reserve1) : (reserve1, reserve0)
        return PoolReserves(
            base: try TokenUnits.amount(baseUnits, decimals: base.decimals, what: "the \(base.symbol) reserve"),
            quote: try TokenUnits.amount(quoteUnits, decimals: quote.decimals, what: "the \(quote.symbol) reserve"))
    }
}

/// Uniswap V3: `slot0()` returns `(uint160 sqrtPriceX96, int24 tick, uint16, uint16, uint16,
/// uint8, bool)`; the price of token0 in token1 is `(sqrtPriceX96 / 2⁹⁶)² · 10^(d0 − d1)`.
package enum UniswapV3 {
    /// The price of `base` in units of `quote`.
    package static func price(token0: String, slot0: String, base: ChainToken, quote: ChainToken) throws(SourceError) -> Double {
        let baseIsToken0 = try PairOrder.baseIsToken0(token0Result: token0, base: base, quote: quote)
        let sqrtPrice: BigUInt
        do throws(ABIError) {
            let words = try ABIWords(hex: slot0)
            guard words.count == 7 else { throw ABIError(message: "slot0 returned \(words.count) words, expected 7") }
            sqrtPrice = try words.unsigned(0, bits: 160)
            _ = try words.signed(1, bits: 24)
            _ = try words.unsigned(6, bits: 1)
        } catch {
            throw SourceError("slot0: \(error.message)")
        }
        guard sqrtPrice > 0 else { throw SourceError("slot0: the pool is not initialised (sqrtPriceX96 is 0)") }
        let (d0, d1) = baseIsToken0 ? (base.decimals, quote.decimals) : (quote.decimals, base.decimals)
        let ratio = Double(sqrtPrice) / 79_228_162_514_264_337_593_543_950_336.0  // 2⁹⁶
        let token0InToken1 = ratio * ratio * pow(10, Double(d0 - d1))
        let price = baseIsToken0 ? token0InToken1 : 1 / token0InToken1
        guard price.isFinite, price > 0 else { throw SourceError("slot0: sqrtPriceX96 \(sqrtPrice) gives no finite price") }
        return price
    }
}

/// Which side of a pair the priced token is, from the pair's own `token0()`.
enum PairOrder {
    static func baseIsToken0(token0Result: String, base: ChainToken, quote: ChainToken) throws(SourceError) -> Bool {
        let token0: String
        do throws(ABIError) {
            let words = try ABIWords(hex: token0Result)
            guard words.count == 1 else { throw ABIError(message: "returned \(words.count) words, expected 1") }
            token0 = try words.address(0)
        } catch {
            throw SourceError("token0: \(error.message)")
        }
        if token0 == base.address { return true }
        if token0 == quote.address { return false }
        throw SourceError("token0 is \(token0), which is neither \(base.symbol) (\(base.address)) nor \(quote.symbol) (\(quote.address)): wrong pool address?")
    }
}

/// Chainlink: `decimals()` and `latestRoundData()`, which returns `(uint80 roundId,
/// int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)`.
package enum Chainlink {
    package struct Round: Equatable {
        package var price: Double
        package var updatedAt: Date
    }

    package static func round(decimals: String, latestRoundData: String) throws(SourceError) -> Round {
        let places: BigUInt, roundID: BigUInt, answer: BigInt, updatedAt: BigUInt, answeredIn: BigUInt
        do throws(ABIError) {
            let d = try ABIWords(hex: decimals)
            guard d.count == 1 else { throw ABIError(message: "decimals returned \(d.count) words, expected 1") }
            places = try d.unsigned(0, bits: 8)
            let words = try ABIWords(hex: latestRoundData)
            guard words.count == 5 else { throw ABIError(message: "latestRoundData returned \(words.count) words, expected 5") }
            roundID = try words.unsigned(0, bits: 80)
            answer = try words.signed(1, bits: 256)
            updatedAt = try words.unsigned(3, bits: 256)
            answeredIn = try words.unsigned(4, bits: 80)
        } catch {
            throw SourceError("chainlink: \(error.message)")
        }
        guard places <= 36 else { throw SourceError("chainlink: decimals is \(places)") }
        guard answer > 0 else { throw SourceError("chainlink: answer is \(answer); a price must be positive") }
        guard updatedAt > 0, updatedAt < BigUInt(100_000_000_000) else {
            throw SourceError("chainlink: updatedAt is \(updatedAt); the round is incomplete")
        }
        guard answeredIn >= roundID else {
            throw SourceError("chainlink: answered in round \(answeredIn), before round \(roundID); the answer is carried over")
        }
        let price = Double(answer) / pow(10, Double(Int(places)))
        return Round(price: price, updatedAt: Date(timeIntervalSince1970: Double(updatedAt)))
    }
}
