/// Builds the experiment's analyse_batch tasks from one encoding of the shared parts.
///
/// Every task of an experiment differs only in its batch index, task id and documents; the
/// framework, often the larger part, is the same. Encoding each task whole cost more than the
/// orchestrator's other work per task together, so the task is encoded once with no
/// documents and batch 0, cut at those three places, and each task is the pieces around its
/// own values. The bytes equal ``MessageCoding/encode(_:)`` of the same task (a test holds
/// this); if the encoding ever takes another shape, the template is not used.
struct BatchTaskTemplate {
    private let experimentID: String
    private let batchCount: Int
    private let framework: Framework
    private let analyser: AnalyserSettings?
    private let researchQuestion: String?
    private let keepEvidence: Bool
    /// Before the batch index, between it and the documents, between them and the task id's
    /// index, and after it.
    private var pieces: [[UInt8]]?

    init(
        experimentID: String, batchCount: Int, framework: Framework, analyser: AnalyserSettings? = nil, researchQuestion: String? = nil,
        keepEvidence: Bool = false
    ) throws {
        self.experimentID = experimentID
        self.batchCount = batchCount
        self.framework = framework
        self.analyser = analyser
        self.researchQuestion = analyser == nil ? nil : researchQuestion
        self.keepEvidence = keepEvidence
        pieces = nil
        pieces = Self.cut(try MessageCoding.encode(task(0, [])), experimentID: experimentID)
    }

    private func task(_ index: Int, _ documents: [Document]) -> TaskMessage {
        TaskMessage(
            experimentID: experimentID, batchIndex: index, batchCount: batchCount, attempt: 1,
            payload: .analyseBatch(
                BatchPayload(
                    framework: framework, documents: documents, analyser: analyser, researchQuestion: researchQuestion,
                    keepEvidence: keepEvidence ? true : nil)))
    }

    /// Whether the fast path is in use (the encoding had the expected shape).
    var isCut: Bool { pieces != nil }

    func task(batchIndex: Int, documents: [Document]) throws -> [UInt8] {
        guard pieces != nil else { return try MessageCoding.encode(task(batchIndex, documents)) }
        return try task(batchIndex: batchIndex, documentArray: MessageCoding.encode(documents))
    }

    /// The task whose documents are `array`, a JSON array already encoded (a manifest's entries).
    func task(batchIndex: Int, documentArray array: [UInt8]) throws -> [UInt8] {
        guard let pieces else {
            let documents = try MessageCoding.decode([Document].self, from: array)
            return try MessageCoding.encode(task(batchIndex, documents))
        }
        let index = Array(String(batchIndex).utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pieces.reduce(0) { $0 + $1.count } + array.count + 2 * index.count)
        bytes += pieces[0]
        bytes += index
        bytes += pieces[1]
        bytes += array.dropFirst().dropLast()
        bytes += pieces[2]
        bytes += index
        bytes += pieces[3]
        return bytes
    }

    private static func cut(_ encoded: [UInt8], experimentID: String) -> [[UInt8]]? {
        let indexKey = Array(#""batch_index":0,"#.utf8)
        // The payload's keys are sorted, so `analyser` may come before `documents`; quotes
        // inside strings are escaped, so no text can contain this key as written here.
        let payloadKey = Array(#""payload":{"#.utf8)
        let documentsKey = Array(#""documents":[]"#.utf8)
        let taskID = Array(#""task_id":"\#(experimentID).analyse_batch.0""#.utf8)
        guard let payload = encoded.firstRange(of: payloadKey),
            let documents = encoded[payload.upperBound...].firstRange(of: documentsKey),
            let index = encoded.firstRange(of: indexKey),
            let task = encoded.ranges(of: taskID).last, index.upperBound <= documents.lowerBound, documents.upperBound <= task.lowerBound
        else { return nil }
        let indexDigit = index.upperBound - 2
        let documentsEnd = documents.upperBound - 2  // the `[` of `[]`
        let taskDigit = task.upperBound - 2
        return [
            Array(encoded[..<indexDigit]), Array(encoded[(indexDigit + 1)...documentsEnd]), Array(encoded[(documentsEnd + 1)..<taskDigit]),
            Array(encoded[(taskDigit + 1)...]),
        ]
    }
}
