import Logging
import TributaryCore
import TributaryStore

/// Publishes what nobody else will: at start, what this store's previous orchestrator left
/// unconfirmed; on a shared store, also what any orchestrator that died left, while this one
/// renews its own lease.
struct OutboxAdoption {
    let store: any ExperimentStore
    let publisher: OutboxPublisher
    /// The lease on this orchestrator's own rows; renewed three times per lease.
    let lease: Duration
    let logger: Logger

    func adopt() async {
        do {
            while true {
                let adopted = try await store.claimOutbox(limit: 10_000)
                guard !adopted.isEmpty else { return }
                logger.info("re-publishing unconfirmed outbox entries", metadata: .tributary([.count: "\(adopted.count)"]))
                await publisher.enqueue(adopted)
            }
        } catch {
            logger.warning("could not adopt outbox entries; trying again later", metadata: .tributary([.error: "\(error)"]))
        }
    }

    /// Until cancelled. A no-op on SQLite after the start: nobody else shares its outbox.
    func keep() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: lease / 3)
            do {
                try await store.heartbeat()
            } catch {
                logger.warning("could not renew the outbox lease", metadata: .tributary([.error: "\(error)"]))
                continue
            }
            await adopt()
        }
    }
}
