import BallastReports
@testable import BallastService
@testable import BallastCore
import Testing

/// What the dashboard draws from hostile or odd figures: names never become markup, and bars
/// stay inside the chart.
@Suite struct DashboardTests {
    @Test func namesAreEscapedWherePagesShowThem() {
        #expect(HTMLText.escape(#"<img src=x onerror="alert('x')">&"#) == "&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;")
        let plan = TransferPlan(token: "<b>T</b>", status: .withinBand, transfers: [], totalFeeUSD: 0, unmet: [:], unmetReasons: [:],
                                positions: [ChainPosition(chain: "</svg><script>x()</script>", balance: Amount("5")!, target: Amount("10")!,
                                                          band: Amount("1")!, after: Amount("5")!, isShort: true)],
                                optimality: nil, error: nil)
        let svg = DashboardPage.bars(plan)
        #expect(!svg.contains("<script>") && !svg.contains("<b>"))
        #expect(svg.contains("&lt;/svg&gt;&lt;script&gt;"))
        #expect(svg.contains("fill=\"#b3261e\""), "below its band: drawn red")
    }

    @Test func barsStayInsideTheChartWhateverTheFigures() throws {
        for (balance, target, band) in [("0", "0", "0"), ("1000000000", "1", "0"), ("0.000001", "5", "5")] {
            let plan = TransferPlan(token: "T", status: .withinBand, transfers: [], totalFeeUSD: 0, unmet: [:], unmetReasons: [:],
                                    positions: [ChainPosition(chain: "c", balance: Amount(balance)!, target: Amount(target)!,
                                                              band: Amount(band)!, after: Amount(balance)!, isShort: false)],
                                    optimality: nil, error: nil)
            let svg = DashboardPage.bars(plan)
            #expect(!svg.contains("nan") && !svg.contains("inf"), "\(svg)")
            let widths = svg.matches(of: /width="(-?[0-9.]+)"/).compactMap { Double($0.output.1) }
            #expect(widths.allSatisfy { $0 >= 0 && $0 <= 440 }, "\(widths)")
        }
    }
}
