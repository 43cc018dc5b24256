@testable import BallastCore
import Testing

@Suite struct BoundedMemoTests {
    @Test func remembersUntilFullThenStartsAgainEmpty() {
        var memo = BoundedMemo<Int, String?>(capacity: 2)
        memo.remember("one", for: 1)
        memo.remember(nil, for: 2)
        #expect(memo[1] == "one")
        // A remembered "no answer" is an answer: it must not read as unknown.
        #expect(memo[2] == .some(nil))
        #expect(memo[3] == nil)
        memo.remember("three", for: 3)
        #expect(memo[3] == "three")
        #expect(memo[1] == nil, "a full memo starts again, so it never holds more than its capacity")
        #expect(memo[2] == nil)
    }
}
