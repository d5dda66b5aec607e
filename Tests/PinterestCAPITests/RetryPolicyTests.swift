import PinterestCAPI
import Testing

@Suite struct RetryPolicyTests {
    @Test func ceilingDoublesUpToTheCapAndJitterPicksWithinIt() {
        let policy = PinterestSender.RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1), jitter: { $0 })
        let delays = (1...6).map { policy.delay(afterAttempt: $0, retryAfter: nil) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])

        let none = PinterestSender.RetryPolicy(jitter: { _ in .zero })
        #expect(none.delay(afterAttempt: 3, retryAfter: nil) == .zero)
        let wild = PinterestSender.RetryPolicy(baseDelay: .seconds(1), jitter: { _ in .seconds(99) })
        #expect(wild.delay(afterAttempt: 1, retryAfter: nil) == .seconds(1), "jitter can never exceed the ceiling")
    }

    @Test func defaultJitterStaysWithinTheCeiling() {
        let policy = PinterestSender.RetryPolicy(baseDelay: .milliseconds(50), maxDelay: .seconds(2))
        for attempt in 1...200 {
            let delay = policy.delay(afterAttempt: attempt % 8 + 1, retryAfter: nil)
            #expect(delay >= .zero && delay <= .seconds(2))
        }
    }

    @Test func retryAfterReplacesBackoffUpToItsCap() {
        let policy = PinterestSender.RetryPolicy(maxRetryAfter: .seconds(60), jitter: { $0 })
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7)) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3600)) == .seconds(60))
    }
}
