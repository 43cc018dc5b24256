import BallastCore
import BallastHTTP
import BigInt
import Foundation

/// A bridge's price for one route, in the snapshot's terms.
package struct FeeQuote: Sendable, Equatable {
    var feeBps: Double
    var feeFixed: Amount
    var gasUSD: Double
    var etaSeconds: Int
    var maxAmount: Amount?
    /// When the API says it priced the quote; nil when it does not say.
    var observedAt: Date?
}

/// What a fee quote is asked for: a token from one chain to another, at a transfer size.
package struct FeeQuestion: Sendable, Hashable {
    var fromChainID: Int
    var toChainID: Int
    var fromToken: ChainToken
    var toToken: ChainToken
    /// The transfer size, in the token's smallest units.
    var units: BigUInt
    var sender: String?

    package init(fromChainID: Int, toChainID: Int, fromToken: ChainToken, toToken: ChainToken, units: BigUInt, sender: String?) {
        self.fromChainID = fromChainID
        self.toChainID = toChainID
        self.fromToken = fromToken
        self.toToken = toToken
        self.units = units
        self.sender = sender
    }
}

/// Across `GET /suggested-fees`. Fee totals are in the token's smallest units; `pct`
/// values are fractions scaled by 1e18.
package enum Across {
    static func url(_ endpoint: Endpoint, _ q: FeeQuestion) -> String {
        endpoint.url(calling: "/suggested-fees?inputToken=\(q.fromToken.address)&outputToken=\(q.toToken.address)&originChainId=\(q.fromChainID)&destinationChainId=\(q.toChainID)&amount=\(q.units)")
    }

    /// The relayer's gas fee is charged per fill whatever the size, so it is the fixed part;
    /// the rest is proportional at the quoted size.
    ///
    /// Older API versions report `totalRelayFee` without the LP fee, newer ones include it;
    /// taking the larger of `totalRelayFee` and the sum of its parts is right for both and
    /// never understates the fee.
    package static func decode(_ body: Data, _ q: FeeQuestion, gasUSD: Double) throws(SourceError) -> FeeQuote {
        let root = try WireReader.parse(body)
        if let tooLow = try root.optionalField("isAmountTooLow"), try tooLow.bool() {
            throw SourceError("isAmountTooLow: the transfer size is below this route's minimum")
        }
        let total = try root.field("totalRelayFee").field("total").units()
        let capital = try root.optionalField("relayerCapitalFee")?.field("total").units() ?? 0
        let relayGas = try root.optionalField("relayerGasFee")?.field("total").units() ?? 0
        let lp = try root.optionalField("lpFee")?.field("total").units() ?? 0
        let fee = max(total, capital + relayGas + lp)
        guard fee < q.units else { throw SourceError("totalRelayFee.total \(fee) is not below the amount \(q.units)") }
        let fixed = min(relayGas, fee)
        let decimals = q.fromToken.decimals
        let proportional = try TokenUnits.amount(fee - fixed, decimals: decimals, what: "the proportional fee")
        let sent = try TokenUnits.amount(q.units, decimals: decimals, what: "the amount")
        var maxAmount: Amount?
        var eta = 0
        if let limits = try root.optionalField("limits") {
            if let maxDeposit = try limits.optionalField("maxDeposit") {
                maxAmount = try TokenUnits.amount(try maxDeposit.units(), decimals: decimals, what: "limits.maxDeposit")
                if maxAmount?.isZero == true { throw SourceError("limits.maxDeposit is 0: the route is closed") }
            }
            if let minDeposit = try limits.optionalField("minDeposit"), try minDeposit.units() > q.units {
                throw SourceError("limits.minDeposit is above the transfer size")
            }
        }
        var fill = try root.optionalField("estimatedFillTimeSec")
        if fill == nil { fill = try root.optionalField("expectedFillTimeSec") }
        if let fill {
            eta = try fill.seconds()
        }
        return FeeQuote(
            feeBps: proportional.doubleValue / sent.doubleValue * 10_000,
            feeFixed: try TokenUnits.amount(fixed, decimals: decimals, what: "relayerGasFee.total"),
            gasUSD: gasUSD, etaSeconds: eta, maxAmount: maxAmount,
            observedAt: try root.optionalField("timestamp")?.epochSeconds())
    }
}

/// LI.FI `GET /quote`: `estimate.fromAmount` and `toAmount` in smallest units,
/// `gasCosts[].amountUSD` paid by the sender, `feeCosts[]` (those not `included` in the
/// amount are paid on top), `executionDuration` in seconds.
package enum LiFi {
    static func url(_ endpoint: Endpoint, _ q: FeeQuestion) -> String {
        endpoint.url(calling: "/quote?fromChain=\(q.fromChainID)&toChain=\(q.toChainID)&fromToken=\(q.fromToken.address)&toToken=\(q.toToken.address)&fromAmount=\(q.units)&fromAddress=\(q.sender ?? "")")
    }

    package static func decode(_ body: Data, _ q: FeeQuestion) throws(SourceError) -> FeeQuote {
        let estimate = try WireReader.parse(body).field("estimate")
        let from = try estimate.field("fromAmount").units()
        let to = try estimate.field("toAmount").units()
        guard from == q.units else { throw SourceError("estimate.fromAmount is \(from), but \(q.units) was asked for") }
        guard to > 0, to <= from else { throw SourceError("estimate.toAmount \(to) is not between 0 and fromAmount \(from)") }
        let decimals = q.fromToken.decimals
        let lost = try TokenUnits.amount(from - to, decimals: decimals, what: "the fee")
        let sent = try TokenUnits.amount(from, decimals: decimals, what: "the amount")
        var usd = 0.0
        for cost in try estimate.optionalField("gasCosts")?.array() ?? [] {
            usd += try cost.field("amountUSD").looseNumber()
        }
        for cost in try estimate.optionalField("feeCosts")?.array() ?? [] {
            // An included fee is already taken out of toAmount; any other is paid on top.
            if let included = try cost.optionalField("included"), try included.bool() { continue }
            usd += try cost.field("amountUSD").looseNumber()
        }
        guard usd.isFinite else { throw SourceError("estimate: gas and fee costs add up to no finite USD figure") }
        let eta = try estimate.optionalField("executionDuration")?.seconds() ?? 0
        return FeeQuote(feeBps: lost.doubleValue / sent.doubleValue * 10_000, feeFixed: .zero, gasUSD: usd,
                        etaSeconds: eta, maxAmount: nil, observedAt: nil)
    }
}
