/// The AMQP headers of a task and of its result: what a service must know about a message
/// whose body it can't or won't read (a dead letter, a message the broker refused).
public struct TaskHeaders: Sendable, Hashable {
    /// The attempt within its step and run: 1 for the first.
    public var attempt: Int
    /// The experiment's run (1, and one more per `tributary retry`); sent only above 1.
    public var run: Int
    public var batchIndex: Int?
    public var batchCount: Int?

    public init(attempt: Int = 1, run: Int = 1, batchIndex: Int? = nil, batchCount: Int? = nil) {
        self.attempt = attempt
        self.run = run
        self.batchIndex = batchIndex
        self.batchCount = batchCount
    }

    /// Read through `value`, which gives a header's integer; absent ones take their defaults.
    public init(reading value: (String) -> Int?) {
        self.init(attempt: value("attempt") ?? 1, run: value("run") ?? 1, batchIndex: value("batch_index"), batchCount: value("batch_count"))
    }

    public init(_ values: [String: Int]) {
        self.init(reading: { values[$0] })
    }

    public var values: [String: Int] {
        var values = ["attempt": attempt]
        if run != 1 { values["run"] = run }
        if let batchIndex { values["batch_index"] = batchIndex }
        if let batchCount { values["batch_count"] = batchCount }
        return values
    }
}

extension TaskIdentity {
    /// Each attempt of a task is its own message: `<task id>.attempt-<n>` in the first run,
    /// `<task id>.run-<r>.attempt-<n>` in a later one, so no two runs share a message id.
    public func messageID(attempt: Int, run: Int = 1) -> String {
        run == 1 ? "\(taskID).attempt-\(attempt)" : "\(taskID).run-\(run).attempt-\(attempt)"
    }
}
