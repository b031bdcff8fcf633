import Foundation
import Synchronization
import TributaryClient
import TributaryCore

/// The console's way to the orchestrators: the production client, once the broker is
/// reached. Until then every page answers 503 with why.
final class ConsoleBackend: Sendable {
    private let current = Mutex<TributaryClient?>(nil)

    func connected(_ client: TributaryClient?) {
        current.withLock { $0 = client }
    }

    func client() throws -> TributaryClient {
        guard let client = current.withLock({ $0 }) else { throw ConsoleUnavailable(message: "the console is not connected to the broker yet") }
        return client
    }

    /// One page of experiments, newest first, and whether there are more. A search looks at
    /// the 1,000 most recent (in the state asked for) and matches the id or the name.
    func list(_ query: ConsolePages.ListQuery) async throws -> ([ExperimentStatus], Bool) {
        let size = ConsolePages.pageSize
        let client = try client()
        guard !query.search.isEmpty else {
            let found = try await client.list(state: query.state, limit: size + 1, offset: (query.page - 1) * size)
            return (Array(found.prefix(size)), found.count > size)
        }
        let needle = query.search.lowercased()
        let matches = try await client.list(state: query.state, limit: ListQuery.maximumLimit).filter {
            $0.experimentID.lowercased().contains(needle) || $0.name.lowercased().contains(needle)
        }
        let start = min((query.page - 1) * size, matches.count)
        return (Array(matches[start..<min(start + size, matches.count)]), matches.count > start + size)
    }
}

struct ConsoleUnavailable: Error {
    var message: String
}
