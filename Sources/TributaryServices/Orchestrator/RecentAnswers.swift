import Synchronization

/// Answers kept for a moment, so that the same question asked by many (open console pages)
/// within `lifetime` costs one read. Only for answers a reader may see that old; a handful of
/// keys at a time (one per open grid), each replaced when it is asked after it expired.
final class RecentAnswers<Answer: Sendable>: Sendable {
    private let answers = Mutex<[String: (at: ContinuousClock.Instant, answer: Answer)]>([:])
    let lifetime: Duration

    init(lifetime: Duration) { self.lifetime = lifetime }

    func answer(for key: String, now: ContinuousClock.Instant = .now) -> Answer? {
        answers.withLock { answers in
            guard let entry = answers[key] else { return nil }
            guard now - entry.at < lifetime else {
                answers[key] = nil
                return nil
            }
            return entry.answer
        }
    }

    func store(_ answer: Answer, for key: String, now: ContinuousClock.Instant = .now) {
        answers.withLock { answers in
            answers = answers.filter { now - $0.value.at < lifetime }
            answers[key] = (now, answer)
        }
    }
}
