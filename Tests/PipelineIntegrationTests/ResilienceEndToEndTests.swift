import AMQP
import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// Failing, hung, crashing and cancelled work, with the real executables, a real broker and
/// the production client. The analysers are shell scripts in front of the example analyser;
/// marker files make a failure happen once, so a retry can succeed.
@Suite(.serialized, TestBroker.required) struct ResilienceEndToEndTests {
    /// Reads the task, takes its batch index, runs `before`, then the example analyser.
    static func analyser(_ harness: PipelineHarness, _ name: String, before: String) throws -> String {
        try harness.script(
            name,
            """
            input=$(cat)
            index=$(printf '%s' "$input" | sed -n 's/.*"batch_index":\\([0-9]*\\).*/\\1/p' | head -n 1)
            markers="\(harness.directory)"
            \(before)
            printf '%s' "$input" | python3 "\(Repository.path("Deploy/analysers/phrase_counter.py"))"
            """)
    }

    static func quickRetries(_ spec: inout ExperimentSpec, attempts: Int = 3) {
        spec.retry = RetryPolicy(maxAttempts: attempts, initialBackoff: TaskDuration(milliseconds: 200), maxBackoff: .seconds(1))
    }

    @Test func transientFailuresAreRetriedAndTheExperimentCompletes() async throws {
        try await withPipeline { harness in
            let script = try Self.analyser(
                harness, "flaky.sh",
                before: """
                    if [ $((index % 2)) -eq 0 ] && [ ! -e "$markers/tried-$index" ]; then
                        touch "$markers/tried-$index"; echo "model overloaded (batch $index)" >&2; exit 1
                    fi
                    """)
            try harness.startPipeline(analysers: 2, analyserArguments: ["--analyser-command", script])
            var spec = Corpus.spec(name: "flaky", documents: 12, batchSize: 2)
            Self.quickRetries(&spec)
            let outcome = try await harness.client.submit(spec).outcome(within: .seconds(90))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.retries == 3, "batches 0, 2 and 4 fail once each")
            #expect(outcome.failedBatches == 0)
            #expect(outcome.synthesisRequests == 1)
            try expectEveryDocumentOnce(outcome, documents: 12)
        }
    }

    /// A document the analyser refuses (exit 65) fails its batch at once, without retries; within
    /// the tolerance the experiment completes with the gap in its coverage. `retry` then re-runs
    /// just that batch, and the second run's report is whole.
    @Test func permanentFailureWithinToleranceCompletesWithCoverageAndRetryRerunsIt() async throws {
        try await withPipeline { harness in
            let script = try Self.analyser(
                harness, "refusing.sh",
                before: """
                    if [ "$index" = 1 ] && [ ! -e "$markers/healed" ]; then echo "document refused by the model" >&2; exit 65; fi
                    """)
            try harness.startPipeline(analysers: 2, analyserArguments: ["--analyser-command", script])
            var spec = Corpus.spec(name: "refused", documents: 12, batchSize: 2)
            Self.quickRetries(&spec)
            spec.tolerateFailedBatches = .count(1)
            let subscription = try await harness.client.submit(spec)
            let first = try await subscription.outcome(within: .seconds(90))
            #expect(first.state == .completed, "\(first.error ?? "")")
            #expect(first.failedBatches == 1)
            #expect(first.retries == 0, "a permanent failure is not retried")
            let coverage = first.report?["report"]?["coverage"]
            #expect(coverage?["documents_planned"] == .number(12))
            #expect(coverage?["documents_analysed"] == .number(10))
            guard case .array(let failed)? = coverage?["failed_batches"], let batch = failed.first else {
                Issue.record("no failed_batches in \(String(describing: coverage))")
                return
            }
            #expect(batch["batch_index"] == .number(1))
            #expect(batch["attempts"] == .number(1))
            #expect(batch["document_ids"] == .array([.string("refused-2"), .string("refused-3")]))
            guard case .string(let error)? = batch["error"] else { throw HarnessError("no error on the failed batch") }
            #expect(error.contains("document refused by the model"))
            guard case .string(let markdown)? = first.report?["report_markdown"] else { throw HarnessError("no report_markdown") }
            #expect(markdown.contains("**Coverage:** 10 of 12 planned documents analysed"), "\(markdown.prefix(300))")

            #expect(FileManager.default.createFile(atPath: "\(harness.directory)/healed", contents: nil))
            let rerun = try #require(try await harness.client.retry(experimentID: subscription.experimentID))
            #expect(rerun.state == .analysing && rerun.run == 2)
            let second = try await harness.client.follow(experimentID: subscription.experimentID).outcome(within: .seconds(90))
            #expect(second.state == .completed && second.run == 2, "\(second.state) run \(second.run)")
            #expect(second.failedBatches == 0)
            #expect(second.synthesisRequests == 2, "one synthesis per run")
            #expect(second.report?["report"]?["run"] == .number(2))
            #expect(second.report?["report"]?["coverage"]?["documents_analysed"] == .number(12))
            try expectEveryDocumentOnce(second, documents: 12)
        }
    }

    /// An attempt that hangs past task_timeout is abandoned and sent again; the second attempt
    /// finishes while the first still sleeps.
    @Test func hungAttemptIsAbandonedAfterTheTaskTimeoutAndSentAgain() async throws {
        try await withPipeline { harness in
            let script = try Self.analyser(
                harness, "hanging.sh",
                before: """
                    if [ "$index" = 0 ] && [ ! -e "$markers/hung" ]; then touch "$markers/hung"; sleep 60; fi
                    """)
            try harness.startPipeline(analysers: 2, analyserArguments: ["--analyser-command", script, "--analyser-timeout", "30"])
            var spec = Corpus.spec(name: "hang", documents: 4, batchSize: 1)
            Self.quickRetries(&spec)
            // Long enough that no healthy attempt outlives it on a loaded machine (each one
            // starts a program), far shorter than the hang: only the hung attempt is retried.
            spec.taskTimeout = .seconds(10)
            let outcome = try await harness.client.submit(spec).outcome(within: .seconds(120))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.retries == 1)
            try expectEveryDocumentOnce(outcome, documents: 4)
        }
    }

    /// Retries waiting for their backoff are durable: the orchestrator is killed with them
    /// pending, restarted, and sends them when they come due.
    @Test func orchestratorKilledWithRetriesPendingStillCompletesExactlyOnce() async throws {
        try await withPipeline { harness in
            let script = try Self.analyser(
                harness, "fail-once.sh",
                before: """
                    if [ ! -e "$markers/tried-$index" ]; then touch "$markers/tried-$index"; echo "first attempt fails" >&2; exit 1; fi
                    """)
            try harness.startPipeline(analysers: 2, analyserArguments: ["--analyser-command", script])
            var spec = Corpus.spec(name: "pending", documents: 6, batchSize: 1)
            spec.retry = RetryPolicy(maxAttempts: 3, initialBackoff: .seconds(3), maxBackoff: .seconds(3))
            let subscription = try await harness.client.submit(spec)
            let client = harness.client
            try await eventually(within: .seconds(30), "a batch waiting for its retry") {
                let reply = try await client.explain(experimentID: subscription.experimentID)
                return reply.batches?.contains { $0.state == .retryWait } == true
            }
            try await #require(harness.orchestrator).crash()
            try harness.startOrchestrator()
            let outcome = try await subscription.outcome(within: .seconds(90))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.retries == 6)
            #expect(outcome.synthesisRequests == 1)
            try expectEveryDocumentOnce(outcome, documents: 6)
        }
    }

    /// `tributary cancel` mid-fan-out: the waiting `submit --wait` exits 3, no synthesis is
    /// ever sent, and the agents skip what is left instead of running it.
    @Test func cancelMidFanOutStopsTheExperimentAndDrainsItsTasks() async throws {
        try await withPipeline { harness in
            let script = try Self.analyser(harness, "slow.sh", before: "sleep 1")
            try harness.startPipeline(analysers: 2, analyserArguments: ["--analyser-command", script])
            let spec = Corpus.spec(name: "cancel", documents: 40, batchSize: 1)
            let specPath = "\(harness.directory)/cancel.json"
            try Data(try MessageCoding.encode(spec)).write(to: URL(fileURLWithPath: specPath))
            let id = "cancel-\(UInt32.random(in: 0...UInt32.max))"
            let events = try await harness.client.follow(experimentID: id)
            let waiting = try harness.runClient(["submit", specPath, "--experiment-id", id, "--wait", "--timeout", "120"])
            try await withDeadline(.seconds(60), "the first batches to complete") {
                while let event = try await events.nextEvent(), event.batchesCompleted < 2 {}
            }
            let cancel = try harness.runClient(["cancel", id])
            #expect(try await cancel.waitForExit(within: .seconds(30)) == 0, "\(cancel.log)")
            let cancelledAt = ContinuousClock.now
            #expect(try await waiting.waitForExit(within: .seconds(30)) == 3, "\(waiting.log)")

            // 36 or so tasks of a second each on four slots would take nine seconds to run; skipped, they are gone at once.
            let queue = try #require(harness.topology.queues.first { $0.name == harness.topology.taskQueue(.analyseBatch) })
            let connection = harness.connection
            try await eventually(within: .seconds(5), "the cancelled experiment's tasks to drain") {
                try await connection.declare(queue).messageCount == 0
            }
            #expect(ContinuousClock.now - cancelledAt < .seconds(5))
            let status = try #require(try await harness.client.status(experimentID: id))
            #expect(status.state == .cancelled && status.cancelled)
            #expect(status.synthesisRequests == 0)
            #expect(status.batchesCompleted < 40)
            // Cancelling again is a no-op answer.
            #expect(try await harness.client.cancel(experimentID: id)?.state == .cancelled)
            // What an operator sees.
            let explain = try harness.runClient(["explain", id])
            #expect(try await explain.waitForExit(within: .seconds(30)) == 0)
            #expect(explain.log.contains("\(id) (cancel): cancelled, run 1"), "\(explain.log)")
            let json = try harness.runClient(["status", id])
            #expect(try await json.waitForExit(within: .seconds(30)) == 0)
            #expect(json.log.contains(#""cancelled":true"#) && json.log.contains(#""in_flight":"#) && json.log.contains(#""retries":"#), "\(json.log)")
        }
    }

    /// A task that kills its agent (here: the analyser kills its parent) comes back to the
    /// queue on every crash until the broker's delivery limit dead-letters it. The
    /// orchestrator hears of it through its dead-letter copy and counts a failed attempt: the
    /// experiment does not sit in `analysing` for ever. Agents are restarted as a supervisor would.
    @Test func poisonTaskThatKillsItsAgentIsDeadLetteredAndCountedAsFailed() async throws {
        try await withPipeline { harness in
            let script = try Self.analyser(harness, "poison.sh", before: #"if [ "$index" = 0 ]; then kill -9 "$PPID"; sleep 5; fi"#)
            let arguments = ["--analyser-command", script]
            try harness.startPipeline(analysers: 2, analyserConcurrency: 1, analyserArguments: arguments)
            var spec = Corpus.spec(name: "poison", documents: 6, batchSize: 1)
            Self.quickRetries(&spec, attempts: 1)
            spec.tolerateFailedBatches = .count(1)
            let supervisor = Task {
                var restarts = 0
                while !Task.isCancelled, restarts < 20 {
                    let running = harness.processes.filter { $0.name.hasPrefix("analyse-batch-agent") && $0.isRunning }.count
                    for index in running..<2 {
                        try harness.startAnalyser(10 + restarts + index, concurrency: 1, arguments: arguments)
                        restarts += 1
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { supervisor.cancel() }
            let outcome = try await harness.client.submit(spec).outcome(within: .seconds(120))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.failedBatches == 1)
            guard case .array(let failed)? = outcome.report?["report"]?["coverage"]?["failed_batches"] else {
                throw HarnessError("no failed_batches")
            }
            #expect(failed.first?["batch_index"] == .number(0))
            guard case .string(let error)? = failed.first?["error"] else { throw HarnessError("no error") }
            #expect(error.contains("dead-lettered by the broker"), "\(error)")
            try expectEveryDocumentOnce(outcome, documents: 5)
        }
    }

    /// `max_in_flight` keeps a big experiment from filling the queue: a small one submitted
    /// behind it has its tasks near the front, and finishes long before the big one.
    @Test func smallExperimentBehindABigOneFinishesFirst() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 2, analyserConcurrency: 8)
            var big = Corpus.spec(name: "big", documents: 2_000, batchSize: 1)
            big.maxInFlight = 20
            let bigRun = try await harness.client.submit(big)
            // Only once the big one has fanned out: its tasks are in the queue first.
            try await withDeadline(.seconds(60), "the big experiment to start analysing") {
                while let event = try await bigRun.nextEvent(), event.state != .analysing {}
            }
            let small = try await harness.client.submit(Corpus.spec(name: "small", documents: 10, batchSize: 1)).outcome(within: .seconds(120))
            #expect(small.state == .completed)
            let bigNow = try #require(try await harness.client.status(experimentID: bigRun.experimentID))
            #expect(bigNow.state != .completed && bigNow.batchesCompleted < 1_000, "big: \(bigNow.state), \(bigNow.batchesCompleted)/2000")
            #expect(bigNow.inFlight <= 20)
            let bigOutcome = try await bigRun.outcome(within: .seconds(240))
            #expect(bigOutcome.state == .completed && bigOutcome.batchesCompleted == 2_000)
        }
    }
}
