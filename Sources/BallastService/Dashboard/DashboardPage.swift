import BallastReports
import BallastChains
import BallastCore
import BallastStore
import Foundation
import Hummingbird

/// The dashboard: one server-rendered page, no external assets, refreshing itself each interval.
/// Per token, balances against target and band; opportunities; source health; the journal;
/// pause and resume.
enum DashboardPage {
    static func response(loop: TickLoop) -> Response {
        var response = JSONBody.text(render(loop: loop), contentType: "text/html; charset=utf-8")
        response.headers[.contentSecurityPolicy] = HTML.contentSecurityPolicy
        return response
    }

    static func render(loop: TickLoop) -> String {
        let state = loop.state.current
        let strategyName = loop.configuration.strategy.name
        let readiness = loop.readiness
        let e = HTMLText.escape
        // An unreadable journal must not look like "running": the switch's state is then unknown.
        let pause = try? loop.journal.pauseState()
        let paused = pause?.paused ?? false
        let pauseLabel = pause.map { $0.paused ? "PAUSED" + ($0.by.map { " by " + e($0) } ?? "") : "running" } ?? "pause state unknown"
        let actions = (try? loop.journal.actions(ActionQuery(limit: 20))) ?? []
        let refresh = max(5, Int((loop.settings.interval / .seconds(1)).rounded(.up)))
        var body = """
            <header><h1>Ballast</h1>
            <span class="pill">\(e(strategyName))</span>
            <span class="pill \(loop.settings.live ? "warn" : "")" id="mode">\(loop.settings.live ? "LIVE" : "dry-run")</span>
            <span class="pill \(readiness.ready ? "ok" : "bad")" id="ready" title="\(e(readiness.reasons.joined(separator: "; ")))">\(readiness.ready ? "ready" : "not ready")</span>
            <span class="pill \(pause?.paused == false ? "ok" : "bad")" id="paused">\(pauseLabel)</span>
            <span class="muted">\(state.lastTick.map { "tick \($0.number) at \(Timestamp.format($0.startedAt)), \(Int($0.duration / .milliseconds(1))) ms" } ?? "no tick yet")</span>
            <span style="flex:1"></span>
            <button id="toggle" data-action="\(paused ? "resume" : "pause")">\(paused ? "Resume" : "Pause")</button>
            <form method="post" action="/logout" style="margin:0"><button type="submit">Sign out</button></form>
            </header><main>
            """
        if !readiness.ready {
            body += "<section id=\"reasons\"><h2>Not ready</h2><ul>" + readiness.reasons.map { "<li>\(e($0))</li>" }.joined() + "</ul></section>"
        }
        if let error = state.reloadError {
            body += "<section><h2>Reload refused</h2><p>\(e(error))</p><p class=\"muted\">The previous configuration stays in force.</p></section>"
        }
        body += balances(state.lastTick)
        body += opportunities(state.lastTick)
        body += prices(state.lastTick)
        body += sources(state.lastTick)
        body += journal(actions)
        body += "</main>"
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ballast — \(e(strategyName))</title>
            <meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="refresh" content="\(refresh)">
            <style>\(HTML.style)</style></head><body>\(body)
            <script>
            document.getElementById('toggle').addEventListener('click', async (event) => {
              const action = event.target.dataset.action;
              const reply = await fetch('/v1/' + action, {method: 'POST', credentials: 'same-origin'});
              if (!reply.ok) { alert((await reply.json()).error); }
              location.reload();
            });
            </script></body></html>
            """
    }

    private static func balances(_ tick: TickView?) -> String {
        guard let plans = tick?.plan?.plans, !plans.isEmpty else {
            return "<section id=\"balances\"><h2>Balances</h2><p class=\"muted\">No plan yet (no rebalance section, or no balances read).</p></section>"
        }
        var html = "<section id=\"balances\"><h2>Balances against target</h2>"
        for plan in plans {
            html += "<h3 style=\"font-size:14px;margin:10px 0 4px\">\(HTMLText.escape(plan.token)) <span class=\"muted\">\(HTMLText.escape(plan.status.rawValue.replacingOccurrences(of: "_", with: " ")))</span></h3>"
            if let error = plan.error { html += "<p class=\"muted\">\(HTMLText.escape(error))</p>" }
            html += bars(plan)
        }
        return html + "</section>"
    }

    /// One row per chain: the band as a shaded range around the target line, the balance
    /// (with in-flight) as a bar, red when short.
    static func bars(_ plan: TransferPlan) -> String {
        let positions = plan.positions
        guard !positions.isEmpty else { return "" }
        let scale = positions.map { max($0.balance.doubleValue, $0.target.doubleValue + $0.band.doubleValue, $0.after.doubleValue) }.max() ?? 0
        let width = 440.0, label = 90.0, row = 22.0
        let x = { (v: Double) in label + (scale > 0 ? max(0, v) / scale : 0) * (width - label - 96) }
        var svg = "<svg class=\"band\" data-token=\"\(HTMLText.escape(plan.token))\" width=\"\(Int(width))\" height=\"\(Int(row * Double(positions.count) + 4))\" role=\"img\" aria-label=\"\(HTMLText.escape(plan.token)) balances\">"
        for (i, p) in positions.enumerated() {
            let y = Double(i) * row + 2
            let (balance, target, band) = (p.balance.doubleValue, p.target.doubleValue, p.band.doubleValue)
            let lowOK = balance >= target - band
            svg += "<g class=\"chain\" data-chain=\"\(HTMLText.escape(p.chain))\" data-short=\"\(p.isShort)\">"
            svg += "<text x=\"0\" y=\"\(y + 14)\">\(HTMLText.escape(p.chain))</text>"
            svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" fill=\"#e3e8f0\"/>",
                          x(target - band), y, max(1, x(target + band) - x(target - band)))
            svg += String(format: "<rect class=\"balance\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"%@\"/>",
                          label, y + 4, max(0, x(balance) - label), lowOK ? "#2f6fd6" : "#b3261e")
            svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#1d2330\" stroke-width=\"2\"/>", x(target), x(target), y, y + 18)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" class=\"muted\">%@</text>", width - 92, y + 14, HTMLText.escape(Figures.tokens(p.balance, decimals: 4)))
            svg += "<title>\(HTMLText.escape("\(p.chain): \(p.balance) held (with in-flight), target \(p.target), band ±\(p.band)"))</title></g>"
        }
        return svg + "</svg>"
    }

    private static func opportunities(_ tick: TickView?) -> String {
        var html = "<section id=\"opportunities\"><h2>Opportunities</h2>"
        guard let scan = tick?.scan else { return html + "<p class=\"muted\">No scan yet (or no arbitrage section).</p></section>" }
        guard !scan.opportunities.isEmpty else { return html + "<p class=\"muted\">None qualify in the last tick.</p></section>" }
        html += "<table><tr><th>token</th><th>buy</th><th>sell</th><th>bridge</th><th>amount</th><th>profit</th><th>roi</th></tr>"
        for o in scan.opportunities.prefix(15) {
            html += "<tr class=\"opportunity\"><td>\(HTMLText.escape(o.token))</td><td>\(HTMLText.escape(o.buyChain))</td><td>\(HTMLText.escape(o.sellChain))</td><td>\(HTMLText.escape(o.bridge))</td>"
                + "<td class=\"n\">\(HTMLText.escape(Figures.tokens(o.amount)))</td><td class=\"n\">$\(Figures.usd(o.profitUSD))</td><td class=\"n\">\(Figures.bps(o.roiBps))</td></tr>"
        }
        return html + "</table></section>"
    }

    /// The last tick's prices, token by chain (each the median of its sources): what moves.
    private static func prices(_ tick: TickView?) -> String {
        var html = "<section id=\"prices\"><h2>Prices</h2>"
        guard let market = tick?.snapshot, !market.prices.isEmpty else { return html + "<p class=\"muted\">No prices yet.</p></section>" }
        let medians = market.medianPrices()
        let chains = market.chains.map(\.name).filter { chain in market.tokens.contains { medians["\(chain)/\($0.symbol)"] != nil } }
        html += "<table><tr><th>token</th>" + chains.prefix(12).map { "<th>\(HTMLText.escape($0))</th>" }.joined() + "</tr>"
        for token in market.tokens.prefix(20) {
            html += "<tr class=\"price\"><td>\(HTMLText.escape(token.symbol))</td>"
                + chains.prefix(12).map { "<td class=\"n\">\(medians["\($0)/\(token.symbol)"].map { "$" + Figures.usd($0) } ?? "—")</td>" }.joined() + "</tr>"
        }
        return html + "</table><p class=\"muted\">The median of each chain's sources in the last tick\(chains.count > 12 || market.tokens.count > 20 ? "; the first 12 chains and 20 tokens" : "").</p></section>"
    }

    private static func sources(_ tick: TickView?) -> String {
        var html = "<section id=\"sources\"><h2>Sources</h2>"
        guard let health = tick?.health, !health.isEmpty else { return html + "<p class=\"muted\">No tick yet.</p></section>" }
        let failing = health.filter { $0.consecutiveFailures > 0 }
        html += "<p>\(health.count - failing.count) of \(health.count) answered in the last tick.</p>"
        if !failing.isEmpty {
            html += "<table><tr><th>source</th><th>failed</th><th>last error</th></tr>"
            for s in failing.sorted(by: { $0.consecutiveFailures > $1.consecutiveFailures }).prefix(30) {
                html += "<tr class=\"failing\"><td>\(HTMLText.escape(s.source))</td><td class=\"n\">\(s.consecutiveFailures)×</td><td>\(HTMLText.escape(s.lastError ?? ""))</td></tr>"
            }
            html += "</table>"
        }
        return html + "</section>"
    }

    private static func journal(_ actions: [JournalAction]) -> String {
        var html = "<section id=\"journal\"><h2>Journal (latest \(actions.count))</h2>"
        guard !actions.isEmpty else { return html + "<p class=\"muted\">No actions recorded yet.</p></section>" }
        html += "<table><tr><th>key</th><th>token</th><th>route</th><th>amount</th><th>status</th><th>updated</th></tr>"
        for a in actions {
            html += "<tr class=\"action\"><td>\(HTMLText.escape(a.idempotencyKey))</td><td>\(HTMLText.escape(a.token))</td>"
                + "<td>\(HTMLText.escape("\(a.from) → \(a.to) (\(a.bridge))"))</td><td class=\"n\">\(HTMLText.escape(a.amount.description))</td>"
                + "<td>\(HTMLText.escape(a.status.rawValue))</td><td>\(Timestamp.format(a.updatedAt))</td></tr>"
        }
        return html + "</table></section>"
    }
}
