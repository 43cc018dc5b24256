import BallastCore
@testable import BallastStore
import Foundation

/// A journal in a fresh temporary directory, removed with it.
struct TemporaryJournal {
    let directory: URL
    var path: String { directory.appendingPathComponent("ballast.db").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func open(_ access: SQLiteJournal.Access = .readWrite) throws -> SQLiteJournal { try SQLiteJournal(path: path, access: access) }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    static func draft(at date: Date = start, snapshot: String = #"{"version": 1}"#, mode: CycleMode = .live) -> CycleDraft {
        CycleDraft(startedAt: date, mode: mode, strategyText: "name: s\n", snapshotJSON: Data(snapshot.utf8),
                   opportunitiesJSON: Data("{}".utf8), planJSON: Data(#"{"plans": []}"#.utf8))
    }

    static func action(leg: Int, token: String = "USDC", status: ActionStatus = .planned, amount: String = "100",
                       amountUSD: Double = 100, from: String = "a", to: String = "b") -> ActionDraft {
        ActionDraft(PlannedTransfer(token: token, leg: leg, from: from, to: to, bridge: "across", amount: Amount(amount)!,
                                    expectedReceived: Amount(amount)!, feeUSD: 0.5, amountUSD: amountUSD, feeBps: 5, feeFixed: .zero,
                                    etaSeconds: 60, dependsOn: nil),
                    status: status, body: Data("{\"leg\":\(leg)}".utf8), validUntil: start.addingTimeInterval(600))
    }
}
