/// Asks the orchestrator for the state of every batch of an experiment, aggregated into at
/// most `cells` ranges (the console's batch grid), and optionally one batch in full; answered
/// on `reply_to` with a ``BatchMapReply``. Sent like a status query (routing key `status`),
/// `type` `batch_map_query`.
public struct BatchMapQuery: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String
    public var cells: Int
    /// A batch to describe in full: its attempts, worker, last error and documents.
    public var batchIndex: Int?

    public static let maximumCells = 10_000

    public init(experimentID: String, cells: Int = 2_000, batchIndex: Int? = nil) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.experimentID = experimentID
        self.cells = cells
        self.batchIndex = batchIndex
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, cells, batchIndex
        case experimentID = "experimentId"
    }
}

public struct BatchMapReply: Sendable, Hashable, Codable {
    /// Consecutive batches `first...last` and how many are in each state (`pending`,
    /// `dispatched`, `retry_wait`, `succeeded`, `failed`).
    public struct Cell: Sendable, Hashable, Codable {
        public var first: Int
        public var last: Int
        public var counts: [String: Int]

        public init(first: Int, last: Int, counts: [String: Int]) {
            self.first = first
            self.last = last
            self.counts = counts
        }

        /// What the cell is shown as: its most urgent state.
        public var state: BatchStatus.State {
            for state in [BatchStatus.State.failed, .retryWait, .dispatched, .pending] where (counts[state.rawValue] ?? 0) > 0 { return state }
            return .succeeded
        }
    }

    public var experimentID: String
    /// Zero for an unknown experiment or one not yet planned.
    public var batchCount: Int
    public var cells: [Cell]
    public var batch: BatchStatus?
    public var documentIDs: [String]?

    public init(experimentID: String, batchCount: Int, cells: [Cell], batch: BatchStatus? = nil, documentIDs: [String]? = nil) {
        self.experimentID = experimentID
        self.batchCount = batchCount
        self.cells = cells
        self.batch = batch
        self.documentIDs = documentIDs
    }

    enum CodingKeys: String, CodingKey {
        case batchCount, cells, batch
        case experimentID = "experimentId"
        case documentIDs = "documentIds"
    }

    /// How many batches each cell spans so that `batchCount` fit in at most `cells`.
    public static func cellSize(batchCount: Int, cells: Int) -> Int {
        max(1, (batchCount + max(cells, 1) - 1) / max(cells, 1))
    }

    /// Batches aggregated into at most `cells` equal ranges, from the counts per cell of
    /// ``cellSize(batchCount:cells:)`` batches and state, as a store counts them without
    /// reading every batch.
    public static func cells(_ counts: [BatchStateCount], batchCount: Int, cells: Int) -> [Cell] {
        guard batchCount > 0 else { return [] }
        let size = cellSize(batchCount: batchCount, cells: cells)
        var result = stride(from: 0, to: batchCount, by: size).map { Cell(first: $0, last: min($0 + size, batchCount) - 1, counts: [:]) }
        for count in counts where count.cell >= 0 && count.cell < result.count {
            result[count.cell].counts[count.state.rawValue, default: 0] += count.count
        }
        return result
    }
}

/// How many batches of one cell of the batch grid are in one state.
public struct BatchStateCount: Sendable, Hashable {
    public var cell: Int
    public var state: BatchStatus.State
    public var count: Int

    public init(cell: Int, state: BatchStatus.State, count: Int) {
        self.cell = cell
        self.state = state
        self.count = count
    }
}
