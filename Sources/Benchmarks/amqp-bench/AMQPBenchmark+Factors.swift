import AMQP
import Foundation

extension AMQPBenchmark {
    /// Runs every ``HopVariant`` `rounds` times, in an order that rotates each round, and
    /// prints per variant the hop's rate and the broker's CPU per task (with `--broker-pid`),
    /// each with its ratio to the plain hop of the same round.
    func runFactors(_ config: AMQPConfiguration) async throws {
        var setupConfig = config
        setupConfig.connectionName = "amqp-bench-setup"
        let setup = try await AMQPConnection.connect(setupConfig)
        let variants = HopVariant.factors(tributaryBodySize: tributaryBodySize)
        var rates = [[Double]](repeating: [], count: variants.count)
        var cpu = [[Double]](repeating: [], count: variants.count)
        for round in 0..<rounds {
            for step in 0..<variants.count {
                let index = (step + round) % variants.count
                let (rate, microseconds) = try await runOnce(variants[index], config: config, setup: setup)
                rates[index].append(rate)
                if let microseconds { cpu[index].append(microseconds) }
                print(
                    String(
                        format: "round %d: %@: %.0f tasks/s, broker %@ µs/task", round + 1, variants[index].name, rate,
                        microseconds.map { String(format: "%.0f", $0) } ?? "?"))
            }
        }
        await setup.close()
        print("")
        print("| raw hop, \(messages) tasks, medians of \(rounds) rounds | tasks/s | vs plain | broker CPU per task | vs plain |")
        print("|---|---|---|---|---|")
        for (index, variant) in variants.enumerated() {
            let cpuText = cpu[index].isEmpty ? "—" : String(format: "%.0f µs", median(cpu[index]))
            let cpuRatio = cpu[index].isEmpty ? "—" : String(format: "%.2f×", pairedRatio(cpu[index], cpu[0]))
            print(
                String(
                    format: "| %@ | %.0f | %.2f× | %@ | %@ |", variant.name, median(rates[index]), pairedRatio(rates[index], rates[0]), cpuText, cpuRatio
                ))
        }
    }

    private func runOnce(_ variant: HopVariant, config: AMQPConfiguration, setup: AMQPConnection) async throws -> (Double, Double?) {
        let suffix = "\(UInt32.random(in: 0...UInt32.max))"
        let (tasks, replies) = ("bench.hop.tasks.\(suffix)", "bench.hop.replies.\(suffix)")
        let (exchange, deadLetters) = ("bench.hop.x.\(suffix)", "bench.hop.dlx.\(suffix)")
        try await setup.declare(ExchangeDeclaration(name: exchange))
        try await setup.declare(ExchangeDeclaration(name: deadLetters, kind: .fanout))
        for queue in [tasks, replies] {
            _ = try await setup.declare(variant.queue(queue, deadLetterExchange: deadLetters))
            try await setup.bind(QueueBinding(queue: queue, exchange: exchange, routingKey: queue))
        }
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: variant.bodySize ?? bodySize)
        let before = brokerPID.flatMap(ProcessCPU.seconds(of:))
        let rate = try RawHop.run(
            config, count: messages, tasks: tasks, replies: replies, body: body, window: window, prefetch: prefetch,
            taskRoute: variant.route(queue: tasks, exchange: exchange), replyRoute: variant.route(queue: replies, exchange: exchange), rate: rate)
        let after = brokerPID.flatMap(ProcessCPU.seconds(of:))
        for queue in [tasks, replies] { _ = try await setup.deleteQueue(queue) }
        for name in [exchange, deadLetters] { try await setup.deleteExchange(name) }
        let microseconds = before.flatMap { start in after.map { ($0 - start) * 1e6 / Double(messages) } }
        return (rate, microseconds)
    }

    /// The geometric mean of the per-round ratios `values[r] / baseline[r]`.
    func pairedRatio(_ values: [Double], _ baseline: [Double]) -> Double {
        let logs = zip(values, baseline).map { log($0 / $1) }
        return exp(logs.reduce(0, +) / Double(max(logs.count, 1)))
    }
}
