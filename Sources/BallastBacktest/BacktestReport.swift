import BallastCore
import BallastReports
import Foundation

/// `ballast backtest --report FILE`: one self-contained HTML file (inline SVG and styles, no
/// script, no external asset). It shows every run side by side with the greedy baseline, and
/// per run: cumulative fees, opportunities over time, and each token's balance per chain
/// against its target band.
public enum BacktestReport {
    public static func html(_ results: [BacktestResult], strategy: String) -> String {
        let e = HTMLText.escape
        var html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <title>Ballast backtest: \(e(strategy))</title><style>\(style)</style></head><body>
            <header><h1>Ballast backtest</h1><span>strategy \(e(strategy))</span></header><main>
            <section id="summary"><h2>Results against the seed's greedy rebalancer</h2>\(summary(results))
            <p class="muted">Fees: bridge fees (what did not arrive) and gas, in USD. Out of band: hours a chain held some token below \
            its target less its band, counting only what had landed. Captured: the part of each opportunity's profit the inventory on \
            its selling chain covered when it appeared.</p></section>
            """
        for (i, result) in results.enumerated() { html += section(result, index: i) }
        return html + "</main></body></html>\n"
    }

    static func summary(_ results: [BacktestResult]) -> String {
        var rows = ""
        for r in results {
            for (name, f) in [("Ballast", r.ballast), ("greedy", r.greedy)] {
                rows += "<tr data-run=\"\(HTMLText.escape(r.source))\" data-ledger=\"\(name)\"><td>\(HTMLText.escape(r.source))</td><td>\(name)</td>"
                    + "<td class=\"n\">\(Figures.usd(f.feesUSD))</td><td class=\"n\">\(f.transfers)</td>"
                    + "<td class=\"n\">\(String(format: "%.1f", f.totalOutOfBandSeconds / 3600))</td>"
                    + "<td class=\"n\">\(Figures.usd(f.worstExposureUSD))</td><td class=\"n\">\(Figures.usd(f.capturedProfitUSD))</td>"
                    + "<td class=\"n\">\(r.opportunities)</td><td class=\"n\">\(Figures.usd(r.detectedProfitUSD))</td></tr>"
            }
        }
        return "<table class=\"results\"><tr><th>run</th><th>rebalancer</th><th>fees $</th><th>transfers</th><th>out of band h</th>"
            + "<th>worst exposure $</th><th>captured $</th><th>opportunities</th><th>detected $</th></tr>\(rows)</table>"
    }

    static func section(_ r: BacktestResult, index: Int) -> String {
        let e = HTMLText.escape
        let samples = r.samples
        var html = "<section class=\"run\" id=\"run-\(index)\" data-run=\"\(e(r.source))\"><h2>\(e(r.source))"
            + (r.seed.map { " · seed \($0)" } ?? "") + " · \(r.steps) steps · \(e(Timestamp.format(r.start))) to \(e(Timestamp.format(r.end)))</h2>"
        html += "<p>\(r.solves) token plans solved, \(r.cycles) cycles run.</p>"
        html += "<h3>Cumulative fees, USD (Ballast solid, greedy dashed)</h3>"
        html += LineChart(label: "cumulative fees", series: [
            .init(name: "ballast", values: samples.map(\.ballastFeesUSD), colour: "#1f5fbf"),
            .init(name: "greedy", values: samples.map(\.greedyFeesUSD), colour: "#b3261e", dashed: true),
        ]).svg()
        html += "<h3>Opportunities open at each step</h3>"
        html += LineChart(label: "opportunities", series: [.init(name: "opportunities", values: samples.map { Double($0.opportunities) }, colour: "#9a6b00")]).svg()
        for token in r.tokens {
            html += "<h3>\(e(token)): balance per chain against its band (Ballast solid, greedy dashed, band shaded)</h3><div class=\"grid\">"
            for chain in r.chains {
                let standing = samples.map { $0.standings[token]?[chain] }
                guard standing.contains(where: { $0 != nil }) else { continue }
                let target = standing.map { $0?.target ?? .nan }, band = standing.map { $0?.band ?? .nan }
                html += "<figure data-token=\"\(e(token))\" data-chain=\"\(e(chain))\"><figcaption>\(e(chain))</figcaption>"
                html += LineChart(width: 260, height: 110, label: "\(token) on \(chain)", series: [
                    .init(name: "ballast", values: standing.map { $0?.ballast ?? .nan }, colour: "#1f5fbf"),
                    .init(name: "greedy", values: standing.map { $0?.greedy ?? .nan }, colour: "#b3261e", dashed: true),
                ], band: (zip(target, band).map { max(0, $0 - $1) }, zip(target, band).map { $0 + $1 })).svg()
                html += "</figure>"
            }
            html += "</div>"
        }
        if !r.events.isEmpty {
            html += "<h3>Scenario events</h3><ul>" + r.events.map { "<li>step \($0.step): \(e($0.text))</li>" }.joined() + "</ul>"
        }
        if !r.alerts.isEmpty {
            html += "<h3>Alerts (\(r.alerts.count))</h3><ul class=\"alerts\">"
                + r.alerts.prefix(100).map { "<li>step \($0.step): \(e($0.text))</li>" }.joined()
                + (r.alerts.count > 100 ? "<li class=\"muted\">and \(r.alerts.count - 100) more</li>" : "") + "</ul>"
        }
        return html + "</section>"
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
        header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:baseline}
        header h1{font-size:18px;margin:0}
        main{padding:16px 20px;display:grid;gap:16px}
        section{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:12px 16px}
        h2{font-size:15px;margin:0 0 8px}h3{font-size:13px;margin:14px 0 6px}
        table{border-collapse:collapse;font-size:13px}
        th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eef0f3}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        .muted{color:#6b7385}
        .grid{display:flex;flex-wrap:wrap;gap:8px}
        figure{margin:0}figcaption{font-size:12px;color:#6b7385}
        svg text{font:10px system-ui,sans-serif;fill:#6b7385}
        """
}
