import BallastCore
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test func parsesRFC3339() {
        #expect(Timestamp.parse("1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
        #expect(Timestamp.parse("2026-11-24T12:00:00Z")?.timeIntervalSince1970 == 1_795_521_600)
        #expect(Timestamp.parse("2026-11-24T13:00:00+01:00") == Timestamp.parse("2026-11-24T12:00:00Z"))
        #expect(Timestamp.parse("2026-11-24T12:00:00.250Z")?.timeIntervalSince1970 == 1_795_521_600.25)
        #expect(Timestamp.parse("2024-02-29T00:00:00Z") != nil)
    }

    @Test(arguments: ["2026-11-24", "2026-11-24 12:00:00Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
                      "2026-11-24T25:00:00Z", "2026-11-24T12:00:00", "2026-11-24T12:00:00ZZ", "yesterday",
                      "2026-11-24T12:00:00.Z", "2026-11-24T12:00:00+0100"])
    func rejectsOtherShapes(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func formatsInUTCAndRoundTrips() {
        let text = "2026-11-24T11:59:58Z"
        #expect(Timestamp.format(Timestamp.parse(text)!) == text)
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_521_600.5)) == "2026-11-24T12:00:00.500Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }
}
