@testable import BallastCore
import Foundation
import Testing

@Suite struct SnapshotValidationTests {
    /// Decodes `object` and returns the problems, or fails the test when it decodes cleanly.
    func problems(_ object: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        problems(Fixtures.json(object), sourceLocation: sourceLocation)
    }

    func problems(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        do {
            _ = try Snapshot.decode(json: data, source: "snap.json")
            Issue.record("expected validation problems", sourceLocation: sourceLocation)
            return []
        } catch {
            #expect(error.source == "snap.json", sourceLocation: sourceLocation)
            return error.problems.map(\.description)
        }
    }

    func modified(_ change: (inout [String: Any]) -> Void) -> [String: Any] {
        var object = Fixtures.minimalSnapshot()
        change(&object)
        return object
    }

    func setPrice(_ index: Int, _ key: String, _ value: Any) -> [String: Any] {
        modified { object in
            var prices = object["prices"] as! [[String: Any]]
            prices[index][key] = value
            object["prices"] = prices
        }
    }

    func setRoute(_ key: String, _ value: Any) -> [String: Any] {
        modified { object in
            var routes = object["routes"] as! [[String: Any]]
            routes[0][key] = value
            object["routes"] = routes
        }
    }

    func setBalance(_ key: String, _ value: Any) -> [String: Any] {
        modified { object in
            var balances = object["balances"] as! [[String: Any]]
            balances[0][key] = value
            object["balances"] = balances
        }
    }

    @Test func minimalSnapshotDecodes() throws {
        let snapshot = try Snapshot.decode(json: Fixtures.json(Fixtures.minimalSnapshot()), source: "snap.json")
        #expect(snapshot.prices.count == 2)
        #expect(snapshot.prices[0].pool?.tokenReserve == Amount("8657.4"))
        #expect(snapshot.routes[0].feeFixed == Amount("0.0001"))
        #expect(snapshot.routes[0].maxAmount == Amount("250"))
        #expect(snapshot.balances[0].amount == Amount("120.5"))
    }

    @Test func exampleSnapshotDecodesAndRoundTrips() throws {
        let snapshot = try Fixtures.exampleSnapshot()
        #expect(snapshot.chains.map(\.chainID) == [1, 42161, 10, 8453, 137])
        #expect(snapshot.tokens.count == 3)
        let again = try Snapshot.decode(json: snapshot.encodedJSON(), source: "re-encoded")
        #expect(again == snapshot)
        #expect(try again.encodedJSON() == snapshot.encodedJSON())
    }

    @Test func aSnapshotBuiltWithANaNPriceIsNotWritten() throws {
        var snapshot = try Fixtures.exampleSnapshot()
        snapshot.prices[0].priceUSD = .nan
        #expect(throws: (any Error).self) { try snapshot.encodedJSON() }
    }

    @Test func negativePriceNamesTheEntry() {
        #expect(problems(setPrice(1, "price_usd", -1)) == ["prices[1] (arbitrum/WETH): price_usd must be positive, got -1"])
    }

    @Test func pricesAndGasStayInTheirDocumentedRanges() {
        #expect(problems(setPrice(0, "price_usd", Double.leastNonzeroMagnitude)) == ["prices[0] (ethereum/WETH): price_usd must be at least 1e-12, got 5e-324"])
        #expect(problems(setPrice(0, "price_usd", 1e308)) == ["prices[0] (ethereum/WETH): price_usd must be at most 1000000000000, got 1e+308"])
        #expect(problems(setRoute("gas_usd", 1e308)).first?.hasSuffix("gas_usd must be at most 1000000000000, got 1e+308") == true)
        #expect(problems(setRoute("eta_seconds", 1e9)).first?.contains("eta_seconds must be at most 31536000") == true)
    }

    @Test func zeroPriceIsRefused() {
        #expect(problems(setPrice(0, "price_usd", 0)) == ["prices[0] (ethereum/WETH): price_usd must be positive, got 0"])
    }

    @Test func nanPriceIsRefusedWhateverItsSpelling() {
        #expect(problems(setPrice(0, "price_usd", "NaN")) == [#"prices[0] (ethereum/WETH): price_usd must be a number, got string "NaN""#])
        var text = String(decoding: Fixtures.json(Fixtures.minimalSnapshot()), as: UTF8.self)
        text = text.replacingOccurrences(of: "3012.5", with: "NaN")
        let bare = problems(Data(text.utf8))
        #expect(bare.count == 1 && bare[0].hasPrefix("not valid JSON"))
        text = text.replacingOccurrences(of: "NaN", with: "1e999")
        #expect(problems(Data(text.utf8)).count == 1)
    }

    @Test func unknownChainAndTokenAreNamed() {
        #expect(problems(setPrice(0, "chain", "solana")) == ["prices[0] (solana/WETH): chain names unknown chain solana"])
        #expect(problems(setBalance("token", "DOGE")) == ["balances[0] (ethereum/DOGE): token names unknown token DOGE"])
        #expect(problems(setRoute("to", "base")) == ["routes[0] (ethereum→base WETH via across): to names unknown chain base"])
    }

    @Test func negativeAmountsAreRefused() {
        #expect(problems(setBalance("amount", "-1")) == ["balances[0] (ethereum/WETH): amount must not be negative, got -1"])
        #expect(problems(setBalance("in_flight", "-0.5")) == ["balances[0] (ethereum/WETH): in_flight must not be negative, got -0.5"])
    }

    @Test func amountsAreStringsWithTheTokensDecimalsAtMost() {
        let usdc = modified { object in
            object["balances"] = [["chain": "ethereum", "token": "USDC", "amount": "1.1234567"]]
        }
        #expect(problems(usdc) == [#"balances[0] (ethereum/USDC): amount has 7 decimals but the token has 6, got "1.1234567""#])
        #expect(problems(setBalance("amount", 120.5)) == ["balances[0] (ethereum/WETH): amount must be a decimal string such as \"120.5\", got number 120.5"])
        #expect(problems(setBalance("amount", "1e3")).first?.contains("must be a plain decimal") == true)
    }

    @Test func malformedTimesAreRefused() {
        #expect(problems(setPrice(0, "observed_at", "yesterday")) == [#"prices[0] (ethereum/WETH): observed_at must be an RFC 3339 time such as "2026-11-24T12:00:00Z", got string "yesterday""#])
        let badTakenAt = modified { $0["taken_at"] = "2026-11-24 12:00" }
        #expect(problems(badTakenAt).first?.hasPrefix("taken_at must be an RFC 3339 time") == true)
        #expect(problems(setRoute("observed_at", "2026-11-24T12:30:00Z")) == ["routes[0] (ethereum→arbitrum WETH via across): observed_at is later than taken_at (2026-11-24T12:00:00Z), got 2026-11-24T12:30:00Z"])
    }

    @Test func duplicateRouteIsRefused() {
        let doubled = modified { object in
            let routes = object["routes"] as! [[String: Any]]
            object["routes"] = routes + routes
        }
        #expect(problems(doubled) == ["routes[1] (ethereum→arbitrum WETH via across): duplicate route: this bridge, token and chain pair appear earlier"])
    }

    @Test func unsupportedVersionIsRefused() {
        #expect(problems(modified { $0["version"] = 2 }) == ["version 2 is not supported; this build reads version 1"])
    }

    @Test func unknownKeysAreRefused() {
        #expect(problems(setBalance("in_flght", "0")) == ["balances[0] (ethereum/WETH): in_flght is not a known key"])
        #expect(problems(modified { $0["extra"] = true }) == ["extra is not a known key"])
    }

    @Test func poolFieldsAreValidated() {
        let broken = setPrice(0, "pool", ["token_reserve": "0", "usd_reserve": "26080000", "fee_bps": 10_000])
        #expect(problems(broken) == [
            "prices[0] (ethereum/WETH): pool.token_reserve must be positive, got 0",
            "prices[0] (ethereum/WETH): pool.fee_bps must be below 10000, got 10000",
        ])
    }

    @Test func routeFeesAreValidated() {
        #expect(problems(setRoute("fee_bps", -4.5)) == ["routes[0] (ethereum→arbitrum WETH via across): fee_bps must not be negative, got -4.5"])
        #expect(problems(setRoute("to", "ethereum")) == ["routes[0] (ethereum→ethereum WETH via across): to is the same chain as from"])
        #expect(problems(setRoute("max_amount", "0")) == ["routes[0] (ethereum→arbitrum WETH via across): max_amount must be positive, got 0"])
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let many = modified { object in
            var prices = object["prices"] as! [[String: Any]]
            prices[0]["price_usd"] = -3
            prices[1]["source"] = ""
            object["prices"] = prices
            object["version"] = 9
            var balances = object["balances"] as! [[String: Any]]
            balances[0]["amount"] = "-2"
            object["balances"] = balances
        }
        #expect(problems(many).count == 4)
    }

    @Test func truncatedAndHostileDocumentsAreRefused() {
        let full = Fixtures.json(Fixtures.minimalSnapshot())
        let truncated = problems(full.prefix(full.count / 2))
        #expect(truncated.count == 1 && truncated[0].hasPrefix("not valid JSON"))
        #expect(problems(Data("[1, 2, 3]".utf8)) == ["the snapshot must be an object, got a list"])
        #expect(problems(Data()).first?.hasPrefix("not valid JSON") == true)
        #expect(problems(modified { $0["prices"] = "many" }) == [#"prices must be a list, got string "many""#])
        #expect(problems(modified { $0["prices"] = [42] }) == ["prices[0]: the entry must be an object, got number 42"])
        do {
            _ = try DocumentParser.json(Data(count: 2048), source: "big.json", maxBytes: 1024)
            Issue.record("expected the size cap to refuse the document")
        } catch {
            #expect(error.description == "big.json: larger than 1024 bytes")
        }
    }
}
