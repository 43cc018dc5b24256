import BallastCore
import BallastStore

/// One action as `journal --format json|csv` prints it, and the API lists it.
package struct ActionRow: Encodable {
    let idempotencyKey: String, cycle: Int64, token: String, from: String, to: String, bridge: String
    let amount: String, expectedReceived: String, feeUSD: Double, status: String, createdAt: String, updatedAt: String

    package init(_ a: JournalAction) {
        idempotencyKey = a.idempotencyKey
        cycle = a.cycle
        token = a.token
        from = a.from
        to = a.to
        bridge = a.bridge
        amount = a.amount.description
        expectedReceived = a.expectedReceived.description
        feeUSD = USD.rounded(a.feeUSD)
        status = a.status.rawValue
        createdAt = Timestamp.format(a.createdAt)
        updatedAt = Timestamp.format(a.updatedAt)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case idempotencyKey = "idempotency_key", cycle, token, from, to, bridge, amount, expectedReceived = "expected_received"
        case feeUSD = "fee_usd", status, createdAt = "created_at", updatedAt = "updated_at"
    }

    /// RFC 4180: a header, then one line per action; fields with a comma, quote or line break are
    /// quoted. A field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a
    /// carriage return first: a chain or token named so in a snapshot) gets a leading `'`, as
    /// OWASP advises; no figure Ballast writes starts with one.
    package static func csv(_ actions: [JournalAction]) -> String {
        func field(_ text: String) -> String {
            let s = text.first.map { "=+-@\t\r".contains($0) } == true ? "'" + text : text
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [CodingKeys.allCases.map(\.rawValue).joined(separator: ",")]
        for a in actions.map(ActionRow.init) {
            lines.append([a.idempotencyKey, String(a.cycle), a.token, a.from, a.to, a.bridge, a.amount, a.expectedReceived,
                          String(a.feeUSD), a.status, a.createdAt, a.updatedAt].map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
