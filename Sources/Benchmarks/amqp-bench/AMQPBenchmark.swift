import AMQP
import ArgumentParser
import Foundation

@main
struct AMQPBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp-bench",
        abstract: "Compares Tributary's AMQP layer with raw librabbitmq on the same broker, side by side.",
        discussion: """
            Each round runs the raw path and then our layer on fresh queues: persistent publishes \
            with streamed confirms, then consuming them with one ack per message. Prints the median \
            rate of each and the ratio layer/raw. Run it in release mode: swift run -c release amqp-bench
            """)

    // No computed default, so --help can't print a password from AMQP_URL.
    @Option(help: "Broker URI. Default: $AMQP_URL, else amqp://guest:guest@127.0.0.1:5672/%2F.") var amqpURL: String?
    @Option(help: "Messages per measurement.") var messages = 100_000
    @Option(help: "Rounds (even, so each side goes first equally often).") var rounds = 4
    @Option(help: "Unconfirmed publishes in flight.") var window = 1_000
    @Option(help: "Consumer prefetch.") var prefetch: UInt16 = 1_000
    @Option(help: "Message body size in bytes.") var bodySize = 200
    @Flag(help: "Measure only the raw request-reply hop on quorum queues (the pipeline benchmark's ceiling) and print tasks/s.")
    var requestReply = false
    @Flag(help: "With --request-reply: run the hop with each of Tributary's messaging choices alone, then all together, and compare.")
    var factors = false
    @Option(help: "With --factors: the broker's process id (beam.smp), to report its CPU time per task from /proc.")
    var brokerPID: Int32?
    @Option(help: "With --factors: publish tasks no faster than this many a second, to compare the broker's cost at the pipeline's rate.")
    var rate: Double?
    @Option(help: "With --factors: the body size of the variant with Tributary-sized messages.")
    var tributaryBodySize = 900

    func validate() throws {
        guard rounds > 0, rounds % 2 == 0 else { throw ValidationError("--rounds must be a positive even number") }
    }

    func run() async throws {
        let config = try AMQPConfiguration(url: amqpURL ?? ProcessInfo.processInfo.environment["AMQP_URL"] ?? AMQPConfiguration.localURL)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: bodySize)
        if requestReply, factors {
            try await runFactors(config)
            return
        }
        if requestReply {
            try await runRequestReply(config, body: body)
            return
        }
        var rawPublish: [Double] = []
        var layerPublish: [Double] = []
        var rawConsume: [Double] = []
        var layerConsume: [Double] = []
        var setupConfig = config
        setupConfig.connectionName = "amqp-bench-setup"
        let setup = try await AMQPConnection.connect(setupConfig)

        for round in 1...rounds {
            let rawQueue = "bench.raw.\(round).\(UInt32.random(in: 0...UInt32.max))"
            let layerQueue = "bench.layer.\(round).\(UInt32.random(in: 0...UInt32.max))"
            for queue in [rawQueue, layerQueue] { try await setup.declare(QueueDeclaration(name: queue, durable: true)) }

            var layerConfig = config
            layerConfig.connectionName = "amqp-bench-layer"
            let layer = try await AMQPConnection.connect(layerConfig)
            let rawPublisher = try RawClient(config)
            let rawConsumer = try RawClient(config)
            let publishRaw = { try measure(messages) { try rawPublisher.publish(count: messages, queue: rawQueue, body: body, window: window) } }
            let publishLayer = {
                try await measure(messages) { try await LayerClient.publish(connection: layer, count: messages, queue: layerQueue, body: body, window: window) }
            }
            let consumeRaw = { try measure(messages) { try rawConsumer.consume(count: messages, queue: rawQueue, prefetch: prefetch) } }
            let consumeLayer = {
                try await measure(messages) { try await LayerClient.consume(connection: layer, count: messages, queue: layerQueue, prefetch: prefetch) }
            }
            // The order flips every round so that neither side always publishes first, consumes
            // first, or meets a queue that has had longer to settle.
            if round % 2 == 1 {
                rawPublish.append(try publishRaw())
                layerPublish.append(try await publishLayer())
                rawConsume.append(try consumeRaw())
                layerConsume.append(try await consumeLayer())
            } else {
                layerPublish.append(try await publishLayer())
                rawPublish.append(try publishRaw())
                layerConsume.append(try await consumeLayer())
                rawConsume.append(try consumeRaw())
            }
            rawPublisher.close()
            rawConsumer.close()
            await layer.close()
            for queue in [rawQueue, layerQueue] { try await setup.deleteQueue(queue) }
            print(
                String(
                    format: "round %d: publish raw %.0f/s layer %.0f/s | consume raw %.0f/s layer %.0f/s",
                    round, rawPublish.last!, layerPublish.last!, rawConsume.last!, layerConsume.last!))
        }
        await setup.close()

        print("")
        print(
            "| work (\(messages) msgs, \(bodySize) B, window \(window), prefetch \(prefetch), \(rounds) rounds) | raw librabbitmq (median) | Tributary AMQP (median) | ratio (paired) |"
        )
        print("|---|---|---|---|")
        row("persistent publish, streamed confirms", rawPublish, layerPublish)
        row("consume + ack each", rawConsume, layerConsume)
    }

    private func runRequestReply(_ config: AMQPConfiguration, body: [UInt8]) async throws {
        var setupConfig = config
        setupConfig.connectionName = "amqp-bench-setup"
        let setup = try await AMQPConnection.connect(setupConfig)
        var rates: [Double] = []
        for round in 1...rounds {
            let suffix = "\(round).\(UInt32.random(in: 0...UInt32.max))"
            let (tasks, replies) = ("bench.hop.tasks.\(suffix)", "bench.hop.replies.\(suffix)")
            for queue in [tasks, replies] { try await setup.declare(QueueDeclaration(name: queue, durable: true, queueType: .quorum)) }
            rates.append(try RawHop.run(config, count: messages, tasks: tasks, replies: replies, body: body, window: window, prefetch: prefetch))
            for queue in [tasks, replies] { try await setup.deleteQueue(queue) }
            print(String(format: "round %d: raw request-reply hop, quorum queues: %.0f tasks/s", round, rates.last!))
        }
        await setup.close()
        print(String(format: "raw request-reply hop (median of %d): %.0f tasks/s", rounds, median(rates)))
    }

    /// Medians of each side, and the geometric mean of the per-round ratios: whichever side
    /// runs first in a round meets a different broker state, and pairing rounds cancels that.
    private func row(_ name: String, _ raw: [Double], _ layer: [Double]) {
        let logSum = zip(layer, raw).map { log($0 / $1) }.reduce(0, +)
        let ratio = exp(logSum / Double(raw.count))
        print(String(format: "| %@ | %.0f msg/s | %.0f msg/s | %.2f |", name, median(raw), median(layer), ratio))
    }

    func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    private func measure(_ count: Int, _ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        return Double(count) / seconds(ContinuousClock.now - start)
    }

    private func measure(_ count: Int, _ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        return Double(count) / seconds(ContinuousClock.now - start)
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
