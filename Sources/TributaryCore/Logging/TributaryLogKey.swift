import Logging

/// The metadata keys of every Tributary log line, prefixed so they sit beside other
/// libraries' keys without clashing. The raw values are stable: log pipelines filter on them.
public enum TributaryLogKey: String, Sendable, CaseIterable {
    case experimentID = "tributary.experiment_id"
    case taskID = "tributary.task_id"
    case batchIndex = "tributary.batch_index"
    case queue = "tributary.queue"
    case messageID = "tributary.message_id"
    case workerID = "tributary.worker_id"
    /// What happened, as a stable name (an ``Orchestrator/Event`` raw value, for instance).
    case event = "tributary.event"
    case count = "tributary.count"
    case reason = "tributary.reason"
    case error = "tributary.error"
    case namespace = "tributary.namespace"
    case concurrency = "tributary.concurrency"
    case database = "tributary.database"
    case retryIn = "tributary.retry_in"
    case attempt = "tributary.attempt"
    case durationMilliseconds = "tributary.duration_ms"
    case analyser = "tributary.analyser"
    case olderThan = "tributary.older_than"
}

extension Logger {
    /// The value of one of Tributary's metadata keys on this logger.
    public subscript(tributaryMetadataKey key: TributaryLogKey) -> Logger.Metadata.Value? {
        get { self[metadataKey: key.rawValue] }
        set { self[metadataKey: key.rawValue] = newValue }
    }
}

extension Logger.Metadata {
    /// Metadata from Tributary's keys: `logger.info("…", metadata: .tributary([.taskID: "\(id)"]))`.
    public static func tributary(_ values: [TributaryLogKey: Logger.Metadata.Value]) -> Logger.Metadata {
        Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) })
    }
}

extension Orchestrator.Disposition {
    /// The disposition as log metadata: its event and the ids it concerns.
    package var logMetadata: Logger.Metadata {
        var values: [TributaryLogKey: Logger.Metadata.Value] = [.event: "\(event.rawValue)", .experimentID: "\(experimentID)"]
        if let taskID { values[.taskID] = "\(taskID)" }
        if let batchIndex { values[.batchIndex] = "\(batchIndex)" }
        return .tributary(values)
    }
}
