@testable import BallastCore
@testable import BallastService
import Foundation
import Testing

@Suite struct LoginThrottleTests {
    @Test func tenFailuresInAMinuteCloseTheFormUntilTheOldestLeavesTheWindow() {
        let time = ManualTime(date: Date(timeIntervalSince1970: 1_800_000_000))
        let throttle = LoginThrottle(time: time)
        for _ in 0..<(LoginThrottle.limit - 1) {
            throttle.failed()
            time.advance(by: .seconds(1))
        }
        #expect(throttle.retryAfter() == nil, "nine failures: still open")
        throttle.failed()
        #expect(throttle.retryAfter() == 51, "the first failure, 9 s ago, leaves the window in 51 s")
        time.advance(by: .seconds(50))
        #expect(throttle.retryAfter() == 1)
        time.advance(by: .seconds(1))
        #expect(throttle.retryAfter() == nil, "the oldest has left: nine in the window")
    }
}
