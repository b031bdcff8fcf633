import AMQP
import Foundation
import Logging
import TributaryClient
import TributaryCore
import TributaryStore

/// Answers status and list queries, and control requests (cancel, retry, pause, resume) once they are committed,
/// from the store. It reads without locking, so a query never holds up the event loop.
struct StatusResponder {
    let store: any ExperimentStore
    let orchestrator: Orchestrator
    let connection: AMQPConnection
    let topology: Topology
    let logger: Logger
    /// Open consoles ask for the same grid every few seconds each: within a second, they share one count.
    let grids = RecentAnswers<BatchMapReply>(lifetime: .seconds(1))

    /// Control requests are answered, once committed, with the experiment's state.
    func reply(to delivery: AMQPDelivery, for disposition: Orchestrator.Disposition) async {
        guard let replyTo = delivery.properties.replyTo,
            let type = delivery.properties.type.flatMap(MessageType.init(rawValue:)),
            [.experimentCancel, .experimentRetry, .experimentPause, .experimentResume].contains(type)
        else { return }
        await send(
            StatusReply(experimentID: disposition.experimentID, status: try? await currentStatus(disposition.experimentID)),
            type: .statusReply, to: replyTo, correlationID: delivery.properties.correlationID ?? disposition.experimentID)
    }

    func answer(_ query: AMQPDelivery) async {
        let source = topology.statusQueue
        guard let replyTo = query.properties.replyTo else {
            await connection.deadLetter(query, reason: "status query without reply_to", code: "missing_reply_to", topology: topology, source: source)
            return
        }
        do {
            let type = query.properties.type.flatMap(MessageType.init(rawValue:))
            if type == .cacheQuery || type == .cachePurge {
                let request = try MessageCoding.decode(CacheRequest.self, from: query.body)
                var removed: Int?
                if type == .cachePurge {
                    removed = try await store.purgeCache(analyser: request.analyser, olderThan: request.olderThan)
                    logger.notice(
                        "result cache purged",
                        metadata: .tributary([
                            .count: "\(removed ?? 0)", .analyser: "\(request.analyser ?? "any")",
                            .olderThan: "\(request.olderThan.map { "\($0)" } ?? "any age")",
                        ]))
                }
                await send(
                    CacheReply(analysers: try await store.cacheStatistics(), removed: removed), type: .cacheReply, to: replyTo,
                    correlationID: query.properties.correlationID ?? "cache")
            } else if type == .reportQuery {
                let request = try MessageCoding.decode(ReportRequest.self, from: query.body)
                let orchestrator = self.orchestrator
                let rebuilt = try await store.transaction(locking: []) { transaction in
                    try orchestrator.rebuiltSynthesisTask(experimentID: request.experimentID, in: transaction)
                }.value
                let status = try await store.experiment(id: request.experimentID).map { ExperimentStatus(record: $0, at: Date()) }
                await send(
                    bytes: try ReportReply.encoded(experimentID: request.experimentID, status: status, task: rebuilt?.task, spec: rebuilt?.spec),
                    type: .reportReply, to: replyTo,
                    correlationID: query.properties.correlationID ?? request.experimentID)
            } else if type == .batchMapQuery {
                let request = try MessageCoding.decode(BatchMapQuery.self, from: query.body)
                await send(
                    try await batchMap(request), type: .batchMapReply, to: replyTo, correlationID: query.properties.correlationID ?? request.experimentID)
            } else if type == .listQuery {
                let request = try MessageCoding.decode(ListQuery.self, from: query.body)
                let records = try await store.recentExperiments(
                    state: request.state, limit: max(1, min(request.limit, ListQuery.maximumLimit)), offset: max(0, request.offset ?? 0))
                await send(
                    ListReply(experiments: records.map { ExperimentStatus(record: $0, at: Date()) }), type: .listReply, to: replyTo,
                    correlationID: query.properties.correlationID ?? "list")
            } else {
                let request = try MessageCoding.decode(StatusQuery.self, from: query.body)
                let status = try await currentStatus(request.experimentID)
                var batches: [BatchStatus]?
                if request.detail, status != nil {
                    batches = try await store.batches(
                        experimentID: request.experimentID, in: [.pending, .dispatched, .retryWait, .failed], limit: StatusReply.maximumBatches
                    ).map(\.status)
                }
                await send(
                    StatusReply(experimentID: request.experimentID, status: status, batches: batches), type: .statusReply, to: replyTo,
                    correlationID: query.properties.correlationID ?? request.experimentID)
            }
            try? query.ack()
        } catch let error as ContractError {
            await connection.deadLetter(query, for: error, topology: topology, source: source)
        } catch {
            logger.warning("status query not answered", metadata: .tributary([.error: "\(error)"]))
            try? query.ack()
        }
    }

    /// The batch grid's answer: the cells' counts as the store counts them (no row per batch
    /// reaches this process, so a page open on 100,000 batches costs a query, not a copy), and
    /// one batch with its documents from its stored task.
    private func batchMap(_ request: BatchMapQuery) async throws -> BatchMapReply {
        guard let record = try await store.experiment(id: request.experimentID) else {
            return BatchMapReply(experimentID: request.experimentID, batchCount: 0, cells: [])
        }
        let cells = max(1, min(request.cells, BatchMapQuery.maximumCells))
        let key = "\(record.id)\n\(cells)"
        var reply: BatchMapReply
        if request.batchIndex == nil, let recent = grids.answer(for: key) {
            reply = recent
        } else {
            let counts = try await store.batchStateCounts(
                experimentID: record.id, cellSize: BatchMapReply.cellSize(batchCount: record.batchCount, cells: cells))
            reply = BatchMapReply(
                experimentID: record.id, batchCount: record.batchCount, cells: BatchMapReply.cells(counts, batchCount: record.batchCount, cells: cells))
            grids.store(reply, for: key)
        }
        if let index = request.batchIndex {
            let (batch, task) = try await store.transaction(locking: []) { transaction in
                (try transaction.batch(experimentID: record.id, index: index), try transaction.batchTask(experimentID: record.id, index: index))
            }.value
            reply.batch = batch?.status
            if batch != nil, let task, case .analyseBatch(let payload)? = try? MessageCoding.decode(TaskMessage.self, from: task).payload {
                reply.documentIDs = payload.documents.map(\.id)
            }
        }
        return reply
    }

    private func currentStatus(_ id: String) async throws -> ExperimentStatus? {
        try await store.experiment(id: id).map { record in
            ExperimentStatus(record: record, report: try record.report.map { try MessageCoding.decode(JSONValue.self, from: $0) }, at: Date())
        }
    }

    private func send(_ reply: some Encodable, type: MessageType, to queue: String, correlationID: String) async {
        do {
            await send(bytes: try MessageCoding.encode(reply), type: type, to: queue, correlationID: correlationID)
        } catch {
            logger.warning("reply not sent", metadata: .tributary([.error: "\(error)"]))
        }
    }

    private func send(bytes: [UInt8], type: MessageType, to queue: String, correlationID: String) async {
        do {
            try await connection.publish(
                bytes, routingKey: queue,
                properties: .contract(messageID: UUID().uuidString, correlationID: correlationID, type: type.rawValue, persistent: false))
        } catch {
            // The asker may be gone (its reply queue deleted); a reply is not worth retrying.
            logger.warning("reply not sent", metadata: .tributary([.error: "\(error)"]))
        }
    }
}
