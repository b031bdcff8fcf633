/// A unit of work sent to an agent.
public struct TaskMessage: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var taskID: String
    public var experimentID: String
    /// The attempt within its step and run: 1 for the first.
    public var attempt: Int
    /// The experiment's run, for a step that is taken again in every run (corpus_synthesis):
    /// 1, and one more per `tributary retry`. Written only above 1; absent means 1.
    public var run: Int
    public var batchIndex: Int?
    public var batchCount: Int?
    public var payload: TaskPayload

    public var taskType: TaskType { payload.taskType }

    /// Which task this is, as its result will name it.
    public var identity: TaskIdentity {
        TaskIdentity(taskID: taskID, experimentID: experimentID, taskType: taskType, batchIndex: batchIndex)
    }

    public init(experimentID: String, batchIndex: Int? = nil, batchCount: Int? = nil, attempt: Int = 1, run: Int = 1, payload: TaskPayload) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.taskID = payload.taskType.taskID(experimentID: experimentID, batchIndex: batchIndex)
        self.experimentID = experimentID
        self.attempt = attempt
        self.run = run
        self.batchIndex = batchIndex
        self.batchCount = batchCount
        self.payload = payload
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, attempt, run, batchIndex, batchCount, taskType, payload
        case taskID = "taskId"
        case experimentID = "experimentId"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        taskID = try container.decode(String.self, forKey: .taskID)
        experimentID = try container.decode(String.self, forKey: .experimentID)
        attempt = try container.decodeIfPresent(Int.self, forKey: .attempt) ?? 1
        run = try container.decodeIfPresent(Int.self, forKey: .run) ?? 1
        batchIndex = try container.decodeIfPresent(Int.self, forKey: .batchIndex)
        batchCount = try container.decodeIfPresent(Int.self, forKey: .batchCount)
        switch try container.decode(TaskType.self, forKey: .taskType) {
        case .preTest: payload = .preTest(try container.decode(ExperimentSpec.self, forKey: .payload))
        case .analyseBatch: payload = .analyseBatch(try container.decode(BatchPayload.self, forKey: .payload))
        case .corpusSynthesis: payload = .corpusSynthesis(try container.decode(SynthesisPayload.self, forKey: .payload))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(taskID, forKey: .taskID)
        try container.encode(experimentID, forKey: .experimentID)
        try container.encode(attempt, forKey: .attempt)
        try container.encodeIfPresent(batchIndex, forKey: .batchIndex)
        try container.encodeIfPresent(batchCount, forKey: .batchCount)
        if run != 1 { try container.encode(run, forKey: .run) }
        try container.encode(taskType, forKey: .taskType)
        switch payload {
        case .preTest(let spec): try container.encode(spec, forKey: .payload)
        case .analyseBatch(let batch): try container.encode(batch, forKey: .payload)
        case .corpusSynthesis(let synthesis): try container.encode(synthesis, forKey: .payload)
        }
    }
}
