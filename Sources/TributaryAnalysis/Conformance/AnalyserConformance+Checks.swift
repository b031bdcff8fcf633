import Foundation
import TributaryCore

extension AnalyserConformance {
    /// The answer to an `analyse_batch` task as the synthesis reads it: nil if it conforms,
    /// else the first thing wrong, named by its path.
    static func validate(_ output: JSONValue, for task: TaskMessage) -> String? {
        let batch: BatchAnalysis
        do {
            batch = try MessageCoding.decode(BatchAnalysis.self, from: MessageCoding.encode(output))
        } catch {
            let problem =
                switch error {
                case let error as DecodingError: describe(error)
                case let error as ContractError: error.message.replacingOccurrences(of: "invalid BatchAnalysis: ", with: "")
                default: "\(error)"
                }
            return
                "the result is not the analyse_batch shape ({\"batch_index\", \"documents\": [{\"id\", \"word_count\", \"metadata\", \"scores\", \"derived\"}]}): \(problem)"
        }
        if batch.batchIndex != task.batchIndex {
            return "batch_index is \(batch.batchIndex), the task's is \(task.batchIndex.map(String.init) ?? "none")"
        }
        let expected = task.batchDocuments.map(\.id)
        let answered = batch.documents.map(\.id)
        guard answered == expected else {
            return "the documents' ids, in order, must be the task's \(expected.debugDescription); got \(answered.debugDescription)"
        }
        for document in batch.documents {
            if document.wordCount < 0 { return "document \(document.id.debugDescription): word_count is negative" }
            for dimension in framework.dimensions {
                guard let score = document.scores[dimension.name] else {
                    return "document \(document.id.debugDescription) has no score for dimension '\(dimension.name)'"
                }
                guard score.rawScore.isFinite else { return "document \(document.id.debugDescription), '\(dimension.name)': raw_score is not a number" }
                guard (0...1).contains(score.confidence) else {
                    return "document \(document.id.debugDescription), '\(dimension.name)': confidence \(score.confidence) is outside 0…1"
                }
            }
        }
        return nil
    }

    /// A decoding error as a path and what was wrong there.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) is not \(type == Double.self || type == Int.self ? "a number" : "a \(type)")"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) is null"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// The same task twice: a versioned analyser is cached on the promise that it answers alike.
    func repeatable(_ item: Case, first: JSONValue) async -> Finding {
        let (finding, second) = await check(item)
        guard finding.passed, let second else {
            return Finding(check: "the same task again", violation: finding.violation, detail: "")
        }
        guard second == first else {
            return Finding(
                check: "the same task again", violation: nil,
                detail: "answered differently (allowed; but a cached analyser_version promises the same answer, so change it when answers change)")
        }
        return Finding(check: "the same task again", violation: nil, detail: "the same answer")
    }

    /// Twenty calls, four at a time: none left running, and no descriptor left open in the agent.
    func hygiene(_ item: Case) async -> Finding {
        let name = "20 calls, 4 at a time"
        let before = Self.openDescriptors()
        var violation: String?
        await withTaskGroup(of: Finding.self) { group in
            for call in 0..<20 {
                if call >= 4, let done = await group.next(), !done.passed, violation == nil { violation = done.violation }
                group.addTask { await check(item).0 }
            }
            for await done in group where !done.passed && violation == nil { violation = done.violation }
        }
        if let violation { return Finding(check: name, violation: violation, detail: "") }
        let after = Self.openDescriptors()
        let children = Self.liveChildren()
        if !children.isEmpty { return Finding(check: name, violation: "processes still running after their calls: \(children)", detail: "") }
        // A few descriptors of the runtime's own come and go; one per call would be 20.
        if after > before + 4 { return Finding(check: name, violation: "the agent's open descriptors grew from \(before) to \(after)", detail: "") }
        return Finding(check: name, violation: nil, detail: "descriptors \(before) → \(after), no process left")
    }

    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    /// Children of this process that are alive (not zombies).
    static func liveChildren() -> [Int32] {
        let me = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", Int32(fields[1]) == me else { return nil }
            return pid
        }
    }
}
