import Testing

@testable import TributaryServices

@Suite struct RecentAnswersTests {
    @Test func anAnswerIsSharedForItsLifetimeThenAskedAgain() {
        let answers = RecentAnswers<Int>(lifetime: .seconds(1))
        let start = ContinuousClock.now
        #expect(answers.answer(for: "grid", now: start) == nil)
        answers.store(7, for: "grid", now: start)
        #expect(answers.answer(for: "grid", now: start + .milliseconds(999)) == 7)
        #expect(answers.answer(for: "other", now: start) == nil)
        #expect(answers.answer(for: "grid", now: start + .seconds(1)) == nil, "expired at its lifetime")
        answers.store(8, for: "grid", now: start + .seconds(2))
        #expect(answers.answer(for: "grid", now: start + .seconds(2)) == 8)
    }
}
