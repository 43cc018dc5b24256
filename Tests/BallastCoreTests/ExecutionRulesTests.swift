import BallastCore
import Testing

/// The `execution` section: where live transfers go, and what stops them.
@Suite struct ExecutionRulesTests {
    let base = """
        name: desk
        tokens: [WETH]
        rebalance:
          threshold: 0.05
          min_transfer_usd: 500
          max_fee_bps: 50
          targets:
            WETH: {ethereum: 0.5, base: 0.5}
        """

    func decode(_ execution: String) throws -> Strategy {
        try Strategy.decode(yaml: base + "\n" + execution, source: "s.yaml")
    }

    func problems(_ execution: String) -> [String] {
        do {
            _ = try Strategy.decode(yaml: base + "\n" + execution, source: "s.yaml")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func aFullSectionDecodes() throws {
        let strategy = try decode("""
            execution:
              webhook: {url: "https://signer.internal/transfers", secret: "${BALLAST_WEBHOOK_SECRET}", timeout_seconds: 5, valid_seconds: 300}
              limits: {max_transfer_usd: 250000, max_daily_usd: 1000000, approval_usd: 100000, bridges: [across], chains: [ethereum, base]}
              expire_factor: 4
            """)
        let execution = try #require(strategy.execution)
        #expect(execution.webhook == WebhookSettings(url: "https://signer.internal/transfers", secret: .environment("BALLAST_WEBHOOK_SECRET"),
                                                     timeoutSeconds: 5, validSeconds: 300))
        #expect(execution.limits == ExecutionLimits(maxTransferUSD: 250_000, maxDailyUSD: 1_000_000, approvalUSD: 100_000,
                                                    bridges: ["across"], chains: ["ethereum", "base"]))
        #expect(execution.expireFactor == 4)
        let file = try decode("execution:\n  webhook: {url: \"http://127.0.0.1:9000/t\", secret_file: /run/secrets/ballast}")
        #expect(file.execution?.webhook.secret == .file("/run/secrets/ballast"))
        #expect(file.execution?.webhook.validSeconds == 600)
    }

    @Test func aSecretWrittenIntoTheFileIsRefused() {
        let found = problems("execution:\n  webhook: {url: \"https://s.example/t\", secret: hunter2hunter2hunter2}")
        #expect(found.count == 1)
        #expect(found.first?.contains("execution.webhook.secret must be a reference to the environment") == true)
        #expect(found.first?.contains("hunter2") == false)
    }

    @Test func everyOtherMistakeIsNamed() {
        #expect(problems("execution:\n  webhook: {url: \"http://signer.example/t\", secret: \"${S}\"}").first?.contains("must be https://") == true)
        #expect(problems("execution:\n  webhook: {url: \"https://s.example/t\"}").first?.contains("secret missing") == true)
        #expect(problems("execution:\n  webhook: {url: \"https://s.example/t\", secret: \"${S}\", secret_file: /x}").first?.contains("not both") == true)
        #expect(problems("execution:\n  webhook: {url: \"https://s.example/t\", secret: \"${S}\"}\n  limits: {max_transfer_usd: 1e19}").count == 1)
        #expect(problems("execution:\n  webhook: {url: \"https://s.example/t\", secret: \"${S}\"}\n  expire_factor: 0.5").count == 1)
        #expect(problems("execution:\n  webhook: {url: \"https://s.example/t\", secret: \"${S}\", retries: 3}").first?.contains("retries is not a known key") == true)
        let noRebalance = (try? Strategy.decode(yaml: """
            name: x
            tokens: [WETH]
            arbitrage: {min_profit_usd: 1, min_roi_bps: 1, max_trade_usd: 10, max_price_age_seconds: 60}
            execution:
              webhook: {url: "https://s.example/t", secret: "${S}"}
            """, source: "s.yaml")) == nil
        #expect(noRebalance)
    }
}
