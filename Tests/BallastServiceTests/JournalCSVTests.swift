import BallastCore
import BallastReports
import BallastStore
import Foundation
import Testing

/// `journal --format csv` is opened in spreadsheets: names from a snapshot must not run there.
@Suite struct JournalCSVTests {
    func action(token: String, from: String, to: String, bridge: String) -> JournalAction {
        JournalAction(idempotencyKey: "k-1", cycle: 1,
                      transfer: PlannedTransfer(token: token, leg: 1, from: from, to: to, bridge: bridge, amount: Amount("1.5")!,
                                                expectedReceived: Amount("1.49")!, feeUSD: 0.25, amountUSD: 1.5, feeBps: 4,
                                                feeFixed: .zero, etaSeconds: 60, dependsOn: nil),
                      status: .dryRun, body: nil, validUntil: nil, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    }

    @Test func fieldsASpreadsheetWouldRunAreDefused() throws {
        let lines = ActionRow.csv([action(token: "+SUM(A1)", from: "=HYPERLINK(\"http://x\",\"y\")", to: "@cmd", bridge: "-2+3")])
            .components(separatedBy: "\r\n")
        #expect(lines[1] == #"k-1,1,'+SUM(A1),"'=HYPERLINK(""http://x"",""y"")",'@cmd,'-2+3,1.5,1.49,0.25,dry_run,1970-01-01T00:00:00Z,1970-01-01T00:00:00Z"#,
                "\(lines[1])")
        let plain = ActionRow.csv([action(token: "USDC", from: "base", to: "arbitrum", bridge: "across")]).components(separatedBy: "\r\n")
        #expect(plain[1] == "k-1,1,USDC,base,arbitrum,across,1.5,1.49,0.25,dry_run,1970-01-01T00:00:00Z,1970-01-01T00:00:00Z")
    }
}
