import BallastCore
import Testing

@Suite struct FiguresTests {
    @Test func tokenAmountsAreGroupedAndCutVisibly() {
        #expect(Figures.tokens(Amount("1363500.3375")!) == "1,363,500.3375")
        #expect(Figures.tokens(Amount("26.859174123623649421")!) == "26.859174…")
        #expect(Figures.tokens(Amount("999")!) == "999")
        #expect(Figures.tokens(Amount("-1234567.5")!) == "-1,234,567.5")
        #expect(Figures.tokens(Amount("0.000001")!) == "0.000001")
        #expect(Figures.tokens(Amount("0.0000001")!) == "0.000000…")
    }

    @Test func countsAgreeWithTheirNumber() {
        #expect(Figures.count(1, "token") == "1 token")
        #expect(Figures.count(0, "opportunity", "opportunities") == "0 opportunities")
    }
}
