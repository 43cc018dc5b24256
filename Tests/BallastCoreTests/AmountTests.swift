@testable import BallastCore
import Testing

@Suite struct AmountTests {
    @Test(arguments: [
        ("120.5", "120.5"), ("0.0001", "0.0001"), ("0", "0"), ("-3", "-3"), ("1.500", "1.5"),
        ("000.10", "0.1"), ("123456789012345678.123456789012345678", "123456789012345678.123456789012345678"),
    ])
    func parsesAndPrintsExactly(text: String, printed: String) {
        #expect(Amount(text)?.description == printed)
    }

    @Test(arguments: ["", "-", ".5", "1.", "1e5", "+1", " 1", "1 ", "1,5", "0x10", "NaN", "inf", "1.2.3",
                      "1234567890123456789", "0.1234567890123456789", "--1", "١٢"])
    func rejectsAnythingButPlainDecimals(text: String) {
        #expect(Amount(text) == nil)
    }

    @Test func normalisesSoEqualValuesAreEqual() {
        #expect(Amount("1.50") == Amount("1.5"))
        #expect(Amount("1.50")?.hashValue == Amount("1.5")?.hashValue)
        #expect(Amount("2")!.scale == 0)
        #expect(Amount(units: 15_000, scale: 4) == Amount("1.5"))
    }

    @Test func arithmeticIsExact() {
        let a = Amount("0.1")!, b = Amount("0.2")!
        #expect((a + b).description == "0.3")  // 0.1 + 0.2 == 0.30000000000000004 in binary
        #expect((Amount("120.5")! - Amount("0.000000000000000001")!).description == "120.499999999999999999")
        #expect((-a).description == "-0.1")
        #expect(Amount("1.05")! < Amount("1.5")!)
        #expect(Amount.max(a, b) == b && Amount.min(a, b) == a)
    }

    @Test func roundsDownToTokenDecimals() {
        #expect(Amount("1.2345678")!.roundedDown(toDecimals: 6).description == "1.234567")
        #expect(Amount("1.9999999")!.roundedDown(toDecimals: 0).description == "1")
        #expect(Amount("-1.0000001")!.roundedDown(toDecimals: 6).description == "-1.000001")
        #expect(Amount("1.5")!.roundedDown(toDecimals: 6).description == "1.5")
    }

    @Test func floorsTheBinaryValueNotItsPrintedForm() {
        // 0.1 is stored as 0.1000000000000000055511151231257827…; flooring to 18 decimals keeps the 5s.
        #expect(Amount(flooring: 0.1, decimals: 18)?.description == "0.100000000000000005")
        // 2.675 is stored just below 2.675, so two decimals give 2.67 (printing would suggest 2.68).
        #expect(Amount(flooring: 2.675, decimals: 2)?.description == "2.67")
        #expect(Amount(flooring: 1e-7, decimals: 6)?.description == "0")
        #expect(Amount(flooring: -1e-7, decimals: 6)?.description == "-0.000001")
        #expect(Amount(flooring: 3012.5, decimals: 6)?.description == "3012.5")
        #expect(Amount(flooring: 1e18, decimals: 0)?.description == "1000000000000000000")
        #expect(Amount(flooring: .nan, decimals: 6) == nil)
        #expect(Amount(flooring: .infinity, decimals: 6) == nil)
        #expect(Amount(flooring: 1e30, decimals: 6) == nil)
    }

    @Test func flooringNeverExceedsTheValue() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<5_000 {
            let value = Double.random(in: 0..<1e9, using: &generator)
            let decimals = Int.random(in: 0...18, using: &generator)
            let amount = Amount(flooring: value, decimals: decimals)!
            #expect(amount.doubleValue <= value * (1 + 1e-15))
            #expect(amount.scale <= decimals)
            // One more unit at that scale would exceed the value.
            let next = amount + Amount(units: 1, scale: decimals)
            #expect(next.doubleValue >= value * (1 - 1e-15))
        }
    }

    @Test func doubleValueIsCloseAcrossTheWholeRange() {
        #expect(Amount("-1")!.doubleValue == -1)
        #expect(Amount("-0.000000000000000001")!.doubleValue == -1e-18)
        #expect(relativelyClose(Amount("123456789012345678.123456789012345678")!.doubleValue, 123456789012345678.123456789, 1e-15))
        #expect(relativelyClose(Amount("-123456789012345678.12345678901234567")!.doubleValue, -123456789012345678.12345678, 1e-15))
        #expect(relativelyClose(Amount("9.300000000000000001")!.doubleValue, 9.3, 1e-15))  // 9.3e18 units: beyond Int64

        #expect(Amount("120.5")!.doubleValue == 120.5)
        #expect(Amount("26080417.5")!.doubleValue == 26_080_417.5)
        #expect(abs(Amount("0.000000000000000001")!.doubleValue - 1e-18) < 1e-30)
    }
}

@Suite struct AmountArithmeticTests {
    @Test func productRoundsAsAsked() {
        let a = Amount("100")!, rate = Amount("0.0005")!
        #expect(Amount.product(a, rate, decimals: 18, rounding: .up)?.description == "0.05")
        #expect(Amount.product(Amount("1")!, Amount("0.0000001")!, decimals: 6, rounding: .down)?.description == "0")
        #expect(Amount.product(Amount("1")!, Amount("0.0000001")!, decimals: 6, rounding: .up)?.description == "0.000001")
        #expect(Amount.product(Amount("-1.5")!, Amount("0.3")!, decimals: 0, rounding: .down)?.description == "-1")
        let big = Amount("999999999999999999")!
        #expect(Amount.product(big, big, decimals: 0, rounding: .down)?.description == "999999999999999998000000000000000001")
        // The same product with 18 decimals does not fit 128 bits: refused, never a trap.
        #expect(Amount.product(big, big, decimals: 18, rounding: .down) == nil)
        #expect(Amount.product(big, Amount("0.5")!, decimals: 36, rounding: .down) == nil)
        // A wide intermediate that narrows again is fine.
        let wide = Amount("123456789012345678.123456789012345678")!
        #expect(Amount.product(wide, Amount("0.000000000000000001")!, decimals: 18, rounding: .down)?.description == "0.123456789012345678")
    }

    @Test func quotientRoundsAsAsked() {
        #expect(Amount.quotient(Amount("10000")!, Amount("3000")!, decimals: 18, rounding: .down)?.description == "3.333333333333333333")
        #expect(Amount.quotient(Amount("10000")!, Amount("3000")!, decimals: 18, rounding: .up)?.description == "3.333333333333333334")
        #expect(Amount.quotient(Amount("1")!, .zero, decimals: 6, rounding: .down) == nil)
        #expect(Amount.quotient(Amount("26080000")!, Amount("8657.4")!, decimals: 6, rounding: .down)?.description == "3012.451775")
    }

    @Test func decimalOfRecoversTheDecimalText() {
        #expect(Amount(decimalOf: 4.5)?.description == "4.5")
        #expect(Amount(decimalOf: 4.3)?.description == "4.3")
        #expect(Amount(decimalOf: 0.1)?.description == "0.1")
        #expect(Amount(decimalOf: 3000)?.description == "3000")
        #expect(Amount(decimalOf: 1e-5)?.description == "0.00001")
        #expect(Amount(decimalOf: 1.5e20)?.description == "150000000000000000000")
        #expect(Amount(decimalOf: .nan) == nil)
    }

    @Test func routeReceivedIsExact() {
        let route = Route(from: "a", to: "b", token: "WETH", bridge: "x", feeBps: 5, feeFixed: Amount("0.01")!, observedAt: .init())
        #expect(route.received(sending: Amount("100")!, decimals: 18)?.description == "99.94")
        let usdc = Route(from: "a", to: "b", token: "USDC", bridge: "x", feeBps: 3, feeFixed: Amount("0.5")!, observedAt: .init())
        // 3 bps of 1234.567891 is 0.37037036730 → 0.370371 rounded up; received rounds down.
        #expect(usdc.received(sending: Amount("1234.567891")!, decimals: 6)?.description == "1233.69752")
        #expect(usdc.received(sending: Amount("0.1")!, decimals: 6)?.isNegative == true)
    }
}
