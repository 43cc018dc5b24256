import Foundation
import Testing

/// The dashboard as a person sees it: headless Chromium logs in through the form, reads the
/// page, pauses through its button, and takes a screenshot.
@Suite struct DashboardBrowserTests {
    @Test(.enabled(if: Chromium.path != nil, "Chromium is not installed (Debian: apt-get install chromium)"))
    func theDashboardRendersAndItsButtonPauses() async throws {
        try await ServeCommandTests.withDesk { desk in
            let service = try await desk.serve(["--live"])
            _ = try await service.tick { $0["cycle"] != nil }
            let base = service.url
            let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-dashboard.png")
            let seen: [String: Any] = try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(with: Result { try Self.browse(base, screenshot: screenshot) })
                }.start()
            }
            #expect(seen["title"] as? String == "Ballast — desk")
            #expect(seen["bands"] as? Int == 1, "one token, one chart: \(seen)")
            #expect(seen["chains"] as? [String] == ["chain00", "chain01", "chain02"])
            #expect((seen["bars"] as? [Double])?.allSatisfy { $0 > 0 } == true, "every chain's balance bar is drawn: \(seen)")
            #expect(seen["mode"] as? String == "LIVE")
            #expect(seen["journalRows"] as? Int ?? 0 > 0)
            #expect(seen["external"] as? Int == 0, "no external assets")
            #expect(seen["pausedAfterClick"] as? String == "PAUSED by api")
            #expect(seen["sourcesText"] as? String != nil)
            #expect(seen["priceRows"] as? [[String]] == [["USDC", "$1.00", "$1.00", "$1.00"], ["WBTC", "$59,820.00", "$59,910.00", "$60,000.00"],
                                                         ["WETH", "$2,991.00", "$2,995.50", "$3,000.00"]], "the last tick's prices, token by chain: \(seen)")
            let png = try Data(contentsOf: screenshot)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "a real screenshot at \(screenshot.path)")
            let status = try await Curl.request(base + "/v1/status", headers: ["Authorization": "Bearer \(ServeCommandTests.token)"])
            #expect((status.json?["paused"] as? [String: Any])?["paused"] as? Bool == true)
            #expect(await service.stop().status == 0)
        }
    }

    static func browse(_ base: String, screenshot: URL) throws -> [String: Any] {
        let chromium = try Chromium()
        defer { chromium.close() }
        let session = try chromium.open(base + "/")
        // Sent to the login form; sign in as a person would.
        guard try chromium.evaluate("location.pathname", session: session) as? String == "/login" else { throw Chromium.Failure(description: "not sent to /login") }
        _ = try chromium.evaluate("document.getElementById('token').value = '\(ServeCommandTests.token)'; document.forms[0].submit(); true", session: session)
        _ = try chromium.waitForEvent("Page.loadEventFired")
        let seen = try chromium.evaluate("""
            JSON.stringify({
              title: document.title,
              bands: document.querySelectorAll('svg.band').length,
              chains: [...document.querySelectorAll('svg.band g.chain')].map(g => g.dataset.chain),
              bars: [...document.querySelectorAll('svg.band rect.balance')].map(r => r.getBoundingClientRect().width),
              mode: document.getElementById('mode').textContent,
              journalRows: document.querySelectorAll('#journal tr.action').length,
              sourcesText: document.getElementById('sources').textContent,
              priceRows: [...document.querySelectorAll('#prices tr.price')].map(r => [...r.cells].map(c => c.textContent)),
              external: performance.getEntriesByType('resource').length
            })
            """, session: session) as? String ?? "{}"
        let shot = try chromium.call("Page.captureScreenshot", ["format": "png"], session: session)
        try Data(base64Encoded: shot["data"] as? String ?? "")?.write(to: screenshot)
        _ = try chromium.evaluate("document.getElementById('toggle').click(); true", session: session)
        _ = try chromium.waitForEvent("Page.loadEventFired")
        let paused = try chromium.evaluate("document.getElementById('paused').textContent", session: session) as? String
        var object = try JSONSerialization.jsonObject(with: Data(seen.utf8)) as? [String: Any] ?? [:]
        object["pausedAfterClick"] = paused
        return object
    }
}
