/// Splits a corpus into analysis batches: at most `batchSize` documents and, unless a single
/// document is larger, at most `maxBatchBytes` of text per batch. Order is kept.
package enum BatchPlanner {
    package static func plan(_ documents: [Document], batchSize: Int, maxBatchBytes: Int) -> [[String]] {
        var batches: [[String]] = []
        var current: [String] = []
        var currentBytes = 0
        for document in documents {
            let bytes = document.size
            if !current.isEmpty, current.count >= batchSize || currentBytes + bytes > maxBatchBytes {
                batches.append(current)
                current = []
                currentBytes = 0
            }
            current.append(document.id)
            currentBytes += bytes
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
