import BallastCore

/// Which earlier leg of a plan feeds each leg: a leg whose source cannot pay it from what it
/// held before the plan relays what an earlier leg delivered, and waits for that leg.
enum LegDependencies {
    /// Per leg, the index of the last earlier leg into its source, when it needs one; else nil.
    static func feeders(of transfers: [Transfer], spendable: [String: Amount]) -> [Int?] {
        var own = spendable
        var lastInto: [String: Int] = [:]
        var result: [Int?] = []
        for (i, t) in transfers.enumerated() {
            let available = own[t.from] ?? .zero
            if !(available < t.amount) {
                own[t.from] = available - t.amount
                result.append(nil)
            } else {
                own[t.from] = .zero
                result.append(lastInto[t.from])
            }
            lastInto[t.to] = i
        }
        return result
    }
}
