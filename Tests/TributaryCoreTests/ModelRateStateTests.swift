import Foundation
import Testing
import TributaryCore

@Suite struct ModelRateStateTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let limits = ModelLimits(requestsPerMinute: 60, tokensPerMinute: 6_000)

    @Test func bucketsStartFullAndRefillContinuouslyAtThePerMinuteFigure() {
        var state = ModelRateState(limits: limits, now: start, headroom: 1)
        for _ in 0..<60 {
            let admission = state.admit(estimatedTokens: 10, limits: limits, now: start, headroom: 1)
            #expect(admission == .admitted)
        }
        // Empty: the 61st request waits one second (60 a minute), and no longer.
        let waiting = state.admit(estimatedTokens: 10, limits: limits, now: start, headroom: 1)
        #expect(waiting == .wait(until: start.addingTimeInterval(1), constraint: .requests))
        let later = state.admit(estimatedTokens: 10, limits: limits, now: start.addingTimeInterval(1), headroom: 1)
        #expect(later == .admitted)
    }

    @Test func tokensBindWhenTheyRunOutFirstAndTheWaitIsWhatTheRefillNeeds() {
        var state = ModelRateState(limits: limits, now: start, headroom: 1)
        let big = state.admit(estimatedTokens: 5_900, limits: limits, now: start, headroom: 1)
        #expect(big == .admitted)
        // 100 left, 500 wanted: 400 more at 100 a second.
        let waiting = state.admit(estimatedTokens: 500, limits: limits, now: start, headroom: 1)
        #expect(waiting == .wait(until: start.addingTimeInterval(4), constraint: .tokens))
        #expect(state.tokens == 100, "a refused dispatch takes nothing")
    }

    @Test func correctionsFromUsageTakeOrGiveTheDifference() {
        var state = ModelRateState(limits: limits, now: start, headroom: 1)
        _ = state.admit(estimatedTokens: 1_000, limits: limits, now: start, headroom: 1)
        state.correct(estimatedTokens: 1_000, actualTokens: 400, limits: limits, now: start, headroom: 1)
        #expect(state.tokens == 5_600)
        state.correct(estimatedTokens: 100, actualTokens: 7_000, extraCalls: 1, limits: limits, now: start, headroom: 1)
        #expect(state.tokens == -1_300, "an under-estimate leaves a debt")
        #expect(state.requests == 58)
        let waiting = state.admit(estimatedTokens: 10, limits: limits, now: start, headroom: 1)
        #expect(waiting == .wait(until: start.addingTimeInterval(13.1), constraint: .tokens))
    }

    @Test func aCallLargerThanTheBucketGoesOnceTheBucketIsFull() {
        var state = ModelRateState(limits: limits, now: start, headroom: 1)
        _ = state.admit(estimatedTokens: 3_000, limits: limits, now: start, headroom: 1)
        let waiting = state.admit(estimatedTokens: 10_000, limits: limits, now: start, headroom: 1)
        #expect(waiting == .wait(until: start.addingTimeInterval(30), constraint: .tokens))
        let full = state.admit(estimatedTokens: 10_000, limits: limits, now: start.addingTimeInterval(30), headroom: 1)
        #expect(full == .admitted)
    }

    @Test func retryAfterHoldsTheModelAndALaterHoldNeverShortensIt() {
        var state = ModelRateState(limits: limits, now: start, headroom: 1)
        state.hold(until: start.addingTimeInterval(2))
        state.hold(until: start.addingTimeInterval(1))
        let held = state.admit(estimatedTokens: 1, limits: limits, now: start.addingTimeInterval(1.5), headroom: 1)
        #expect(held == .wait(until: start.addingTimeInterval(2), constraint: .retryAfter))
        let after = state.admit(estimatedTokens: 1, limits: limits, now: start.addingTimeInterval(2), headroom: 1)
        #expect(after == .admitted)
        #expect(state.heldUntil == nil)
    }

    @Test func headroomScalesCapacityAndRateAndUnlimitedModelsAlwaysAdmit() {
        var state = ModelRateState(limits: limits, now: start, headroom: 0.5)
        #expect(state.requests == 30 && state.tokens == 3_000)
        var unlimited = ModelRateState(limits: ModelLimits(), now: start)
        for _ in 0..<1_000 {
            let admission = unlimited.admit(calls: 5, estimatedTokens: 1_000_000, limits: ModelLimits(), now: start)
            #expect(admission == .admitted)
        }
        state.giveBack(calls: 1, estimatedTokens: 10, limits: limits, now: start, headroom: 0.5)
        #expect(state.requests == 30, "never above capacity")
    }

    /// Over a simulated 90 s of a caller that asks whenever it is told it may, what is admitted
    /// is what the buckets allow: capacity plus refill, never more.
    @Test func admittedOverARunIsTheBudgetAllowedAndNoMore() {
        let limits = ModelLimits(requestsPerMinute: 120, tokensPerMinute: 1_000_000)
        var state = ModelRateState(limits: limits, now: start, headroom: 1)
        var now = start
        var admitted = 0
        while now < start.addingTimeInterval(90) {
            switch state.admit(estimatedTokens: 50, limits: limits, now: now, headroom: 1) {
            case .admitted: admitted += 1
            case .wait(let until, _): now = until
            }
        }
        // 120 at once, then 2 a second for 90 s.
        #expect((299...301).contains(admitted), "\(admitted)")
    }

    @Test func estimatesOverCountInputAndLearnOutputFromResults() {
        var estimator = TokenEstimator(promptOverheadBytes: 300)
        #expect(estimator.estimate(documentBytes: [900], maxOutputTokens: 400) == TokenEstimator.inputTokens(bytes: 1_200) + 400)
        estimator.observe(outputTokensPerCall: 50)
        estimator.observe(outputTokensPerCall: 70)
        #expect(
            estimator.estimate(documentBytes: [900, 0], maxOutputTokens: 400) == TokenEstimator.inputTokens(bytes: 1_200)
                + TokenEstimator.inputTokens(bytes: 300) + 140)
        #expect(TokenEstimator.inputTokens(bytes: 4_000) > 4_000 / 4, "more than a BPE tokenizer's usual count")
    }

    @Test func ledgerCountsUsageAtThePricesToTheCent() {
        var ledger = ModelLedger()
        let prices = ModelLimits(inputPricePerMillion: 0.10, outputPricePerMillion: 0.40)
        ledger.count(ModelUsage(model: "m", requests: 2, inputTokens: 1_000_000, outputTokens: 250_000, repairs: 1, unverifiedEvidence: 3), prices: prices)
        ledger.count(ModelUsage(model: "m", requests: 1, inputTokens: 10, outputTokens: 5), prices: nil)
        #expect(ledger.requests == 3 && ledger.inputTokens == 1_000_010 && ledger.outputTokens == 250_005)
        #expect(abs(ledger.cost - 0.20) < 1e-12)
        #expect(ledger.repairs == 1 && ledger.unverifiedEvidence == 3)
        #expect(Budget(maxCost: 0.20).isReached(cost: ledger.cost, tokens: ledger.totalTokens))
        #expect(!Budget(maxCost: 0.21, maxTokens: 2_000_000).isReached(cost: ledger.cost, tokens: ledger.totalTokens))
        #expect(Budget(maxTokens: 1_250_015).isReached(cost: 0, tokens: ledger.totalTokens))
    }
}
