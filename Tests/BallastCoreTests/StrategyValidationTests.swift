import BallastCore
import Testing

@Suite struct StrategyValidationTests {
    let valid = """
        name: majors
        tokens: [WETH, USDC]
        arbitrage:
          min_profit_usd: 10
          min_roi_bps: 5
          max_trade_usd: 100000
          max_price_age_seconds: 60
        rebalance:
          threshold: 0.05
          min_transfer_usd: 500
          max_fee_bps: 50
          targets:
            WETH: {ethereum: 0.5, arbitrum: 0.3, base: 0.2}
        """

    func problems(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        do {
            _ = try Strategy.decode(yaml: yaml, source: "s.yaml")
            Issue.record("expected problems", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func validStrategyDecodes() throws {
        let strategy = try Strategy.decode(yaml: valid, source: "s.yaml")
        #expect(strategy.name == "majors")
        #expect(strategy.tokens == ["WETH", "USDC"])
        #expect(strategy.arbitrage?.minROIBps == 5)
        #expect(strategy.rebalance?.targets["WETH"] == ["ethereum": 0.5, "arbitrum": 0.3, "base": 0.2])
    }

    @Test func aTargetMayCarryItsOwnBandAndTheSolveBudgetIsBounded() throws {
        let yaml = valid.replacingOccurrences(of: "base: 0.2}", with: "base: {target: 0.2, band: 0.25}}")
            .replacingOccurrences(of: "max_fee_bps: 50", with: "max_fee_bps: 50\n  max_solve_nodes: 500")
        let rules = try #require(try Strategy.decode(yaml: yaml, source: "s.yaml").rebalance)
        #expect(rules.targets["WETH"]?["base"] == TargetShare(0.2, band: 0.25))
        #expect(rules.maxSolveNodes == 500)
        #expect(try Strategy.decode(yaml: valid, source: "s.yaml").rebalance?.maxSolveNodes == RebalanceRules.defaultMaxSolveNodes)
        let bad = valid.replacingOccurrences(of: "base: 0.2}", with: "base: {target: 0.2, band: 1.5, colour: red}}")
            .replacingOccurrences(of: "max_fee_bps: 50", with: "max_fee_bps: 50\n  max_solve_nodes: -3")
        let found = problems(bad)
        #expect(found.contains { $0.contains("rebalance.targets.WETH.base.band") && $0.contains("below 1") }, "\(found)")
        #expect(found.contains { $0.contains("colour") }, "\(found)")
        #expect(found.contains { $0.contains("max_solve_nodes") }, "\(found)")
    }

    @Test func alertsAndCooldownDecodeAndSecretURLsStayReferences() throws {
        let yaml = valid.replacingOccurrences(of: "  max_fee_bps: 50\n", with: "  max_fee_bps: 50\n  cooldown_seconds: 120\n") + """

            alerts:
              - {url: "${SLACK_HOOK}", format: slack}
              - {url: "https://ops.example/hooks/ballast", format: json, repeat_minutes: 5, source_failures: 2}
            """
        let strategy = try Strategy.decode(yaml: yaml, source: "s.yaml")
        #expect(strategy.rebalance?.cooldownSeconds == 120)
        #expect(strategy.alerts.count == 2)
        #expect(strategy.alerts[0].url == .environment("SLACK_HOOK"))
        #expect(strategy.alerts[0].url.description == "${SLACK_HOOK}")
        #expect(strategy.alerts[0].url.resolve(["SLACK_HOOK": "https://hooks.slack.com/services/T/B/x"]) == "https://hooks.slack.com/services/T/B/x")
        #expect(strategy.alerts[0].url.resolve([:]) == nil)
        #expect(strategy.alerts[0].repeatMinutes == AlertWebhook.defaultRepeatMinutes)
        #expect(strategy.alerts[1].format == .json && strategy.alerts[1].repeatMinutes == 5 && strategy.alerts[1].sourceFailures == 2)
        #expect(try Strategy.decode(yaml: valid, source: "s.yaml").rebalance?.cooldownSeconds == RebalanceRules.defaultCooldownSeconds)
    }

    @Test func badAlertsAreNamed() {
        let found = problems(valid + """

            alerts:
              - {url: "ftp://x", format: slack}
              - {url: "https://x/${TOKEN}", format: teams, repeat_minutes: -1}
              - {format: json, every: 3}
              - just a string
            """)
        #expect(found.contains("alerts[0].url must be an http:// or https:// URL, got ftp://x"), "\(found)")
        #expect(found.contains("alerts[1].url must be a URL or a whole reference to the environment, ${NAME}"), "\(found)")
        #expect(found.contains("alerts[1].format must be slack or json, got teams"), "\(found)")
        #expect(found.contains { $0.hasPrefix("alerts[1].repeat_minutes must not be negative") }, "\(found)")
        #expect(found.contains("alerts[2].url is required"), "\(found)")
        #expect(found.contains("alerts[2].every is not a known key"), "\(found)")
        #expect(found.contains { $0.hasPrefix("alerts[3] must be an object") }, "\(found)")
        #expect(problems(valid.replacingOccurrences(of: "  max_fee_bps: 50\n", with: "  max_fee_bps: 50\n  cooldown_seconds: -5\n"))
            .contains { $0.contains("rebalance.cooldown_seconds") })
    }

    @Test func targetsMustSumToOne() {
        let yaml = valid.replacingOccurrences(of: "base: 0.2", with: "base: 0.1")
        #expect(problems(yaml) == ["rebalance.targets.WETH fractions sum to 0.9, must sum to 1"])
    }

    /// A share finer than 1e-18 has no exact decimal (`Amount` keeps 36 places), so no plan could
    /// compute it: `check` refuses it rather than `plan` failing later. 1e-18 itself is exact.
    @Test func sharesFinerThanABillionthOfABillionthAreRefused() throws {
        let finer = valid.replacingOccurrences(of: "base: 0.2}", with: "base: 0.2, optimism: 1e-320}")
            .replacingOccurrences(of: "threshold: 0.05", with: "threshold: 5e-324")
            .replacingOccurrences(of: "ethereum: 0.5", with: "ethereum: {target: 0.5, band: 1e-19}")
        #expect(problems(finer) == [
            "rebalance.threshold must be 0 or at least 1e-18, got 5e-324",
            "rebalance.targets.WETH.ethereum.band must be 0 or at least 1e-18, got 1e-19",
            "rebalance.targets.WETH.optimism must be 0 or at least 1e-18, got 1e-320",
        ])
        let finest = valid.replacingOccurrences(of: "base: 0.2}", with: "base: 0.199999999999999999, optimism: 1.2345678901234567e-18}")
        let rules = try #require(try Strategy.decode(yaml: finest, source: "s.yaml").rebalance)
        for share in rules.targets["WETH"]!.values { #expect(Amount(decimalOf: share.fraction) != nil, "\(share.fraction)") }
    }

    @Test func negativeThresholdIsRefused() {
        let yaml = valid.replacingOccurrences(of: "threshold: 0.05", with: "threshold: -0.1")
        #expect(problems(yaml) == ["rebalance.threshold must not be negative, got -0.1"])
    }

    @Test func unknownKeyIsNamedWithItsPath() {
        let yaml = valid.replacingOccurrences(of: "min_roi_bps: 5", with: "min_roi_bps: 5\n  min_roi: 5")
        #expect(problems(yaml) == ["arbitrage.min_roi is not a known key"])
    }

    @Test func wrongTypesAndMissingKeysAreNamed() {
        let yaml = valid
            .replacingOccurrences(of: "max_trade_usd: 100000", with: "max_trade_usd: lots")
            .replacingOccurrences(of: "  max_fee_bps: 50\n", with: "")
        #expect(problems(yaml) == [
            #"arbitrage.max_trade_usd must be a number, got string "lots""#,
            "rebalance.max_fee_bps is required",
        ])
    }

    @Test func targetTokensMustBeListed() {
        let yaml = valid.replacingOccurrences(of: "WETH: {", with: "WBTC: {")
        #expect(problems(yaml) == ["rebalance.targets.WBTC is not in the strategy's tokens"])
    }

    @Test func malformedYAMLIsOneClearProblem() {
        let found = problems("name: [unclosed")
        #expect(found.count == 1 && found[0].hasPrefix("not valid YAML"))
        #expect(problems("just text") == ["the strategy must be an object, got string \"just text\""])
    }

    @Test func crossCheckAgainstTheMarket() throws {
        let strategy = try Strategy.decode(yaml: valid.replacingOccurrences(of: "base: 0.2", with: "zksync: 0.2"), source: "s.yaml")
        let snapshot = try Fixtures.exampleSnapshot()
        #expect(strategy.problems(against: snapshot).map(\.description) == [
            "rebalance.targets.WETH.zksync names a chain the market does not list",
        ])
    }

    @Test func shippedStrategyIsValidAgainstTheShippedMarket() throws {
        #expect(try Fixtures.exampleStrategy().problems(against: Fixtures.exampleSnapshot()).isEmpty)
    }
}

/// Every number has a documented range (docs/configuration.md, docs/snapshot-format.md).
@Suite struct DocumentedRangeTests {
    let strategy = """
        name: r
        tokens: [WETH]
        arbitrage: {min_profit_usd: 10, min_roi_bps: 5, max_trade_usd: 100000, max_price_age_seconds: 60}
        rebalance:
          threshold: 0.05
          min_transfer_usd: 500
          max_fee_bps: 50
          targets: {WETH: {a: 0.5, b: 0.5}}
        """

    @Test(arguments: [
        ("max_trade_usd: 100000", "max_trade_usd: 1e19", "arbitrage.max_trade_usd must be at most 1000000000000, got 1e+19"),
        ("max_price_age_seconds: 60", "max_price_age_seconds: 1e30", "arbitrage.max_price_age_seconds must be at most 31536000, got 1e+30"),
        ("min_roi_bps: 5", "min_roi_bps: 1e308", "arbitrage.min_roi_bps must be at most 1000000, got 1e+308"),
        ("min_transfer_usd: 500", "min_transfer_usd: 1e25", "rebalance.min_transfer_usd must be at most 1000000000000, got 1e+25"),
    ])
    func strategyNumbersAreBounded(_ from: String, _ to: String, _ message: String) {
        let yaml = strategy.replacingOccurrences(of: from, with: to)
        #expect(yaml != strategy)
        do {
            _ = try Strategy.decode(yaml: yaml, source: "s.yaml")
            Issue.record("\(to) must be refused")
        } catch {
            #expect(error.problems.map(\.description) == [message])
        }
    }
}
