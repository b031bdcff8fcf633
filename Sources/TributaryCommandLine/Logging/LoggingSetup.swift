import Logging
import Synchronization

/// Sets up swift-log's logging system once per process, in the format the options chose.
enum LoggingSetup {
    private static let done = Mutex(false)

    static func once(_ format: LogFormat) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        switch format {
        case .text: LoggingSystem.bootstrap(StreamLogHandler.standardError)
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        }
    }
}
